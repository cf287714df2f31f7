import { routeMethods } from "@/lib/api/handler";
import { getPolicyRoute, updatePolicyRoute, deletePolicyRoute } from "@/lib/api/resources/policies";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getPolicyRoute, PUT: updatePolicyRoute, DELETE: deletePolicyRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
