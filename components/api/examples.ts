/** Ready-to-run examples for the API page, with this instance's base URL and account id filled in. */
export function apiExamples(baseUrl: string, accountId: string) {
  const acct = `${baseUrl}/accounts/${accountId}/access`;
  return [
    {
      title: "Verify a token (curl)",
      code: `curl -s ${baseUrl}/user/tokens/verify \\\n  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN"`,
    },
    {
      title: "List mTLS certificates (curl)",
      code: `curl -s "${acct}/certificates?page=1&per_page=50" \\\n  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN"`,
    },
    {
      title: "Add an mTLS certificate (curl)",
      code: [
        `jq -n --arg pem "$(cat ca-chain.pem)" \\`,
        `  '{name: "Allow devs", certificate: $pem, associated_hostnames: ["admin.example.com"]}' |`,
        `curl -s -X POST ${acct}/certificates \\`,
        `  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN" \\`,
        `  -H "Content-Type: application/json" --data @-`,
      ].join("\n"),
    },
    {
      title: "Create a Service Auth policy (curl)",
      code: [
        `curl -s -X POST ${acct}/policies \\`,
        `  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  --data '{"name":"mTLS devices","decision":"non_identity","include":[{"common_name":{"common_name":"John Doe"}}]}'`,
      ].join("\n"),
    },
    {
      title: "Official cloudflare SDK (TypeScript)",
      code: [
        `import Cloudflare from "cloudflare";`,
        ``,
        `const cf = new Cloudflare({`,
        `  apiToken: process.env.PORTCULLIS_API_TOKEN,`,
        `  baseURL: "${baseUrl}",`,
        `});`,
        `const account_id = "${accountId}";`,
        ``,
        `for await (const cert of cf.zeroTrust.access.certificates.list({ account_id })) {`,
        `  console.log(cert.name, cert.associated_hostnames, cert.expires_on);`,
        `}`,
        `const policy = await cf.zeroTrust.access.policies.create({`,
        `  account_id, name: "mTLS devices", decision: "non_identity",`,
        `  include: [{ certificate: {} }],`,
        `});`,
        `await cf.zeroTrust.access.applications.create({`,
        `  account_id, type: "self_hosted", name: "Admin", domain: "admin.example.com",`,
        `  policies: [{ id: policy.id, precedence: 1 }],`,
        `});`,
      ].join("\n"),
    },
  ];
}
