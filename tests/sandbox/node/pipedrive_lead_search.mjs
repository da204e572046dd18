// Drives the official `pipedrive` npm client through lead search (v1 and v2), lead permitted users and
// itemSearch/field against the crmbridge sandbox, and prints one JSON object.
//
//   node pipedrive_lead_search.mjs        env: PD_API_DOMAIN, PD_API_TOKEN
//
// Every step is recorded separately as {ok: true, value} or {ok: false, error}, where error is the response
// body the client rejected with (or the thrown message), so the Python test can say which call broke.

import { v1, v2 } from "pipedrive";

import { env, results, step } from "./steps.mjs";

// Search routes share a window of 10 requests per 2 s: space the search calls out so none is refused.
const pace = () => new Promise((resolve) => setTimeout(resolve, 250));

async function search(name, fn) {
  await pace();
  return step(name, fn);
}

async function main() {
  const apiDomain = env("PD_API_DOMAIN");
  const apiKey = env("PD_API_TOKEN");
  const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
  const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
  const leads = new v1.LeadsApi(cfg1);
  const leads2 = new v2.LeadsApi(cfg2);
  const orgs = new v2.OrganizationsApi(cfg2);
  const deals = new v2.DealsApi(cfg2);
  const itemSearch = new v2.ItemSearchApi(cfg2);
  const me = (await new v1.UsersApi(cfg1).getCurrentUser()).data.id;
  const tag = `Zq${Date.now().toString(36)}`;

  const org = await step("orgs.add", () => orgs.addOrganization({ AddOrganizationRequest: { name: `${tag} Holdings` } }));
  const orgId = org?.data?.id;
  const ids = { me, org: orgId, tag };
  for (const [key, title] of [["first", `${tag} first`], ["second", `${tag} second`], ["exact", tag]]) {
    const lead = await step(`leads.add.${key}`, () =>
      leads.addLead({ AddLeadRequest: { title, organization_id: orgId, owner_id: me } }),
    );
    ids[key] = lead?.data?.id;
  }
  await search("leads.search", () => leads.searchLeads({ term: tag, fields: "title", limit: 2 }));
  await search("leads.search.page2", () => leads.searchLeads({ term: tag, start: 2, limit: 2 }));
  await search("leads.search.exact", () => leads.searchLeads({ term: tag, exact_match: true, include_fields: "lead.was_seen" }));
  await search("leads.search.byOrg", () => leads.searchLeads({ term: tag, organization_id: orgId }));
  await search("leads.search.v2", () => leads2.searchLeads({ term: tag, limit: 100 }));
  await search("leads.search.v1all", () => leads.searchLeads({ term: tag, limit: 100 }));
  await search("leads.search.tooShort", () => leads.searchLeads({ term: "Z" }));
  if (ids.first) await step("leads.permittedUsers", () => leads.getLeadUsers({ id: ids.first }));
  await step("leads.permittedUsers.missing", () => leads.getLeadUsers({ id: "3f2504e0-4f89-41d3-9a0c-0305e82c3301" }));

  const deal = await step("deals.add", () => deals.addDeal({ AddDealRequest: { title: `${tag} monkey`, org_id: orgId } }));
  ids.deal = deal?.data?.id;
  await search("itemSearch.field.exact", () =>
    itemSearch.searchItemByField({ term: `${tag} monkey`, entity_type: "deal", field: "title" }),
  );
  await search("itemSearch.field.beginning", () =>
    itemSearch.searchItemByField({ term: tag, entity_type: "lead", field: "title", match: "beginning", limit: 2 }),
  );
  await search("itemSearch.field.middle", () =>
    itemSearch.searchItemByField({ term: "onke", entity_type: "deal", field: "title", match: "middle" }),
  );
  await search("itemSearch.field.caseSensitive", () =>
    itemSearch.searchItemByField({ term: `${tag} MONKEY`, entity_type: "deal", field: "title" }),
  );
  await search("itemSearch.field.project", () =>
    itemSearch.searchItemByField({ term: "anything", entity_type: "project", field: "title" }),
  );
  await search("itemSearch.field.unknown", () =>
    itemSearch.searchItemByField({ term: tag, entity_type: "deal", field: "no_such_field" }),
  );
  return { ids };
}

const summary = await main();
console.log(JSON.stringify({ summary, results }));
