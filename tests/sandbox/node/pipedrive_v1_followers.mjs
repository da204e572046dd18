// Drives the official `pipedrive` npm client's v1 followers (deals, persons, organizations, products),
// permitted users, the v1 deal duplicate and the followers of a user (v1 and v2) against the sandbox.
//
//   node pipedrive_v1_followers.mjs      env: PD_API_DOMAIN, PD_API_TOKEN
//
// Every step is recorded separately as {ok: true, value} or {ok: false, error}, where error is the response
// body the client rejected with (or the thrown message), so the Python test can say which call broke.

import { v1, v2 } from "pipedrive";

import { env, results, step } from "./steps.mjs";

// One family: add a follower through v1, list it through v1 and v2, remove it through v1 by its relation id.
async function family(name, api, v2api, id, me, ops) {
  const added = await step(`${name}.addFollower`, () => api[ops.add]({ id, [ops.request]: { user_id: me } }));
  await step(`${name}.getFollowers`, () => api[ops.list]({ id, ...(ops.paged ? { start: 0, limit: 10 } : {}) }));
  await step(`${name}.v2.getFollowers`, () => v2api[ops.v2list]({ id }));
  await step(`${name}.getUsers`, () => api[ops.users]({ id }));
  const relation = added?.data?.id;
  if (relation) {
    await step(`${name}.deleteFollower`, () => api[ops.remove]({ id, follower_id: relation }));
    await step(`${name}.getFollowers.afterDelete`, () => api[ops.list]({ id }));
  }
}

async function main() {
  const apiDomain = env("PD_API_DOMAIN");
  const apiKey = env("PD_API_TOKEN");
  const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
  const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
  const me = (await new v1.UsersApi(cfg1).getCurrentUser()).data.id;
  const created = {
    deals: await step("deals.add", () => new v2.DealsApi(cfg2).addDeal({ AddDealRequest: { title: "Followed" } })),
    persons: await step("persons.add", () => new v2.PersonsApi(cfg2).addPerson({ AddPersonRequest: { name: "Followed" } })),
    organizations: await step("organizations.add", () =>
      new v2.OrganizationsApi(cfg2).addOrganization({ AddOrganizationRequest: { name: "Followed" } }),
    ),
    products: await step("products.add", () => new v2.ProductsApi(cfg2).addProduct({ AddProductRequest: { name: "Followed" } })),
  };
  const ids = { me, ...Object.fromEntries(Object.entries(created).map(([k, v]) => [k, v?.data?.id])) };
  if (ids.deals) {
    await family("deals", new v1.DealsApi(cfg1), new v2.DealsApi(cfg2), ids.deals, me, {
      add: "addDealFollower", request: "AddDealFollowerRequest", list: "getDealFollowers",
      remove: "deleteDealFollower", users: "getDealUsers", v2list: "getDealFollowers",
    });
    const copy = await step("deals.duplicate", () => new v1.DealsApi(cfg1).duplicateDeal({ id: ids.deals }));
    ids.copy = copy?.data?.id;
  }
  if (ids.persons) {
    await family("persons", new v1.PersonsApi(cfg1), new v2.PersonsApi(cfg2), ids.persons, me, {
      add: "addPersonFollower", request: "AddPersonFollowerRequest", list: "getPersonFollowers",
      remove: "deletePersonFollower", users: "getPersonUsers", v2list: "getPersonFollowers",
    });
  }
  if (ids.organizations) {
    await family("organizations", new v1.OrganizationsApi(cfg1), new v2.OrganizationsApi(cfg2), ids.organizations, me, {
      add: "addOrganizationFollower", request: "AddOrganizationFollowerRequest", list: "getOrganizationFollowers",
      remove: "deleteOrganizationFollower", users: "getOrganizationUsers", v2list: "getOrganizationFollowers",
    });
  }
  if (ids.products) {
    await family("products", new v1.ProductsApi(cfg1), new v2.ProductsApi(cfg2), ids.products, me, {
      add: "addProductFollower", request: "AddProductFollowerRequest", list: "getProductFollowers", paged: true,
      remove: "deleteProductFollower", users: "getProductUsers", v2list: "getProductFollowers",
    });
  }
  await step("users.getUserFollowers", () => new v1.UsersApi(cfg1).getUserFollowers({ id: me }));
  await step("users.v2.getUserFollowers", () => new v2.UsersApi(cfg2).getUserFollowers({ id: me }));
  return { ids };
}

const summary = await main();
console.log(JSON.stringify({ mode: "v1-followers", summary, results }));
