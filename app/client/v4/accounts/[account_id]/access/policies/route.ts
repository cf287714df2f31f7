import { routeMethods } from "@/lib/api/handler";
import { listPoliciesRoute, createPolicyRoute } from "@/lib/api/resources/policies";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listPoliciesRoute, POST: createPolicyRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
