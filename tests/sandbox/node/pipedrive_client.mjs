// Drives the official `pipedrive` npm client against the crmbridge sandbox and prints one JSON object.
//
//   node pipedrive_client.mjs crud           env: PD_API_DOMAIN, PD_API_TOKEN
//   node pipedrive_client.mjs oauth-url      env: PD_OAUTH_HOST, PD_CLIENT_ID, PD_CLIENT_SECRET, PD_REDIRECT_URI
//   node pipedrive_client.mjs oauth-exchange env: the same plus PD_CODE
//   node pipedrive_client.mjs families       env: PD_API_DOMAIN, PD_API_TOKEN (call logs, followers, deal products)
//
// Every step is recorded separately as {ok: true, value} or {ok: false, error}, where error is the response
// body the client rejected with (or the thrown message), so the Python test can say which call broke.

import { v1, v2 } from "pipedrive";

import { env, results, step } from "./steps.mjs";

async function crud() {
  const apiDomain = env("PD_API_DOMAIN");
  const apiKey = env("PD_API_TOKEN");
  const tag = process.env.PD_TAG || `t${Date.now()}`;
  const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
  const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
  const pipelines = new v2.PipelinesApi(cfg2);
  const stages = new v2.StagesApi(cfg2);
  const orgs = new v2.OrganizationsApi(cfg2);
  const persons = new v2.PersonsApi(cfg2);
  const deals = new v2.DealsApi(cfg2);
  const activities = new v2.ActivitiesApi(cfg2);
  const itemSearch = new v2.ItemSearchApi(cfg2);
  const users = new v1.UsersApi(cfg1);
  const leads = new v1.LeadsApi(cfg1);
  const notes = new v1.NotesApi(cfg1);

  const me = await step("users.getCurrentUser", () => users.getCurrentUser());
  await step("users.getUsers", () => users.getUsers());
  if (me?.data?.id) await step("users.getUser", () => users.getUser({ id: me.data.id }));

  const pl = await step("pipelines.getPipelines", () => pipelines.getPipelines());
  const pipelineId = pl?.data?.[0]?.id;
  if (pipelineId) {
    await step("pipelines.getPipeline", () => pipelines.getPipeline({ id: pipelineId }));
    await step("stages.getStages", () => stages.getStages({ pipeline_id: pipelineId }));
  }

  const org = await step("orgs.add", () =>
    orgs.addOrganization({ AddOrganizationRequest: { name: `${tag} Industries` } }),
  );
  const orgId = org?.data?.id;
  if (orgId) {
    await step("orgs.get", () => orgs.getOrganization({ id: orgId }));
    await step("orgs.update", () =>
      orgs.updateOrganization({ id: orgId, UpdateOrganizationRequest: { name: `${tag} Holdings` } }),
    );
  }
  await step("orgs.list", () => orgs.getOrganizations({ limit: 2 }));
  await step("orgs.search", () => orgs.searchOrganization({ term: `${tag} Holdings` }));

  const email = `${tag}@example.com`;
  const person = await step("persons.add", () =>
    persons.addPerson({
      AddPersonRequest: {
        name: `Ada ${tag}`,
        org_id: orgId,
        emails: [{ value: email, primary: true, label: "work" }],
        phones: [{ value: "+15550100", primary: true, label: "mobile" }],
      },
    }),
  );
  const personId = person?.data?.id;
  if (personId) {
    await step("persons.get", () => persons.getPerson({ id: personId }));
    await step("persons.update", () =>
      persons.updatePerson({ id: personId, UpdatePersonRequest: { name: `Augusta ${tag}` } }),
    );
  }
  // Walk the whole person list two per page, following next_cursor until it is null.
  await step("persons.paginate", async () => {
    const ids = [];
    let cursor;
    for (let page = 0; page < 50; page++) {
      const res = await persons.getPersons({ limit: 2, cursor });
      ids.push(...res.data.map((p) => p.id));
      cursor = res.additional_data?.next_cursor;
      if (!cursor) return { ids, pages: page + 1, last_cursor: cursor ?? null };
    }
    throw new Error("next_cursor never became null");
  });
  await step("persons.search", () => persons.searchPersons({ term: email, fields: "email" }));

  const deal = await step("deals.add", () =>
    deals.addDeal({
      AddDealRequest: { title: `${tag} deal`, value: 1500, currency: "EUR", person_id: personId, org_id: orgId },
    }),
  );
  const dealId = deal?.data?.id;
  if (dealId) {
    await step("deals.get", () => deals.getDeal({ id: dealId }));
    await step("deals.update", () =>
      deals.updateDeal({ id: dealId, UpdateDealRequest: { title: `${tag} deal won`, status: "won" } }),
    );
  }
  await step("deals.list", () => deals.getDeals({ limit: 3 }));
  await step("deals.search", () => deals.searchDeals({ term: `${tag} deal` }));
  await step("itemSearch.search", () => itemSearch.searchItem({ term: tag, item_types: "deal,person" }));
  await step("deals.getMissing", () => deals.getDeal({ id: 987654321 }));

  const activity = await step("activities.add", () =>
    activities.addActivity({
      AddActivityRequest: {
        subject: `${tag} call`,
        type: "call",
        due_date: "2026-12-01",
        due_time: "10:30",
        deal_id: dealId,
        participants: personId ? [{ person_id: personId, primary: true }] : undefined,
      },
    }),
  );
  const activityId = activity?.data?.id;
  if (activityId) {
    await step("activities.get", () => activities.getActivity({ id: activityId }));
    await step("activities.update", () =>
      activities.updateActivity({ id: activityId, AddActivityRequest: { done: true } }),
    );
    await step("activities.list", () => activities.getActivities({ deal_id: dealId }));
  }

  const lead = await step("leads.add", () =>
    leads.addLead({
      AddLeadRequest: { title: `${tag} lead`, person_id: personId, value: { amount: 250, currency: "USD" } },
    }),
  );
  const leadId = lead?.data?.id;
  if (leadId) {
    await step("leads.get", () => leads.getLead({ id: leadId }));
    await step("leads.update", () =>
      leads.updateLead({ id: leadId, UpdateLeadRequest: { title: `${tag} lead warm` } }),
    );
  }
  await step("leads.list", () => leads.getLeads({ limit: 1, start: 0 }));

  const note = await step("notes.add", () =>
    notes.addNote({ AddNoteRequest: { content: `<p>${tag} note</p>`, deal_id: dealId } }),
  );
  const noteId = note?.data?.id;
  if (noteId) {
    await step("notes.get", () => notes.getNote({ id: noteId }));
    await step("notes.update", () =>
      notes.updateNote({ id: noteId, NoteRequest: { content: `<p>${tag} note edited</p>` } }),
    );
    await step("notes.list", () => notes.getNotes({ deal_id: dealId }));
    await step("notes.delete", () => notes.deleteNote({ id: noteId }));
  }

  if (leadId) await step("leads.delete", () => leads.deleteLead({ id: leadId }));
  if (activityId) await step("activities.delete", () => activities.deleteActivity({ id: activityId }));
  if (dealId) await step("deals.delete", () => deals.deleteDeal({ id: dealId }));
  if (personId) await step("persons.delete", () => persons.deletePerson({ id: personId }));
  if (orgId) await step("orgs.delete", () => orgs.deleteOrganization({ id: orgId }));
  return { tag, ids: { org: orgId, person: personId, deal: dealId, activity: activityId, lead: leadId, note: noteId } };
}

function oauthClient() {
  return new v2.OAuth2Configuration({
    clientId: env("PD_CLIENT_ID"),
    clientSecret: env("PD_CLIENT_SECRET"),
    redirectUri: env("PD_REDIRECT_URI"),
    host: env("PD_OAUTH_HOST"),
  });
}

async function oauthUrl() {
  return { authorization_url: oauthClient().authorizationUrl };
}

async function oauthExchange() {
  const oauth2 = oauthClient();
  const updates = [];
  oauth2.onTokenUpdate = (token) => updates.push(token.access_token);
  const token = await step("oauth.authorize", () => oauth2.authorize(env("PD_CODE")));
  const basePathAfterAuthorize = oauth2.basePath;
  // The documented wiring: API classes read the live token and the api_domain-based base path.
  const apiConfig = () => new v2.Configuration({ accessToken: oauth2.getAccessToken, basePath: oauth2.basePath });
  await step("oauth.deals.list", () => new v2.DealsApi(apiConfig()).getDeals({ limit: 1 }));
  const v1Config = new v1.Configuration({
    accessToken: oauth2.getAccessToken,
    basePath: oauth2.basePath.replace(/\/api\/v2$/, "/api/v1"),
  });
  await step("oauth.users.me", () => new v1.UsersApi(v1Config).getCurrentUser());
  const refreshed = await step("oauth.refresh", () => oauth2.tokenRefresh());
  await step("oauth.deals.list.after_refresh", () => new v2.DealsApi(apiConfig()).getDeals({ limit: 1 }));
  // An empty 200 body makes the client hand back the whole axios response (not JSON-safe): keep the fact.
  await step("oauth.revoke", async () => {
    await oauth2.revokeToken("refresh_token");
    return true;
  });
  await step("oauth.refresh.after_revoke", () => oauth2.tokenRefresh());
  return {
    access_token: token?.access_token,
    refresh_token: token?.refresh_token,
    refreshed_access_token: refreshed?.access_token,
    base_path: basePathAfterAuthorize,
    token_updates: updates.length,
  };
}

// The endpoint families added for issue 15, through the client's own request models.
async function families() {
  const apiDomain = env("PD_API_DOMAIN");
  const apiKey = env("PD_API_TOKEN");
  const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
  const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
  const deals = new v2.DealsApi(cfg2);
  const persons = new v2.PersonsApi(cfg2);
  const products = new v2.ProductsApi(cfg2);
  const dealProducts = new v2.DealProductsApi(cfg2);
  const callLogs = new v1.CallLogsApi(cfg1);
  const me = (await new v1.UsersApi(cfg1).getCurrentUser()).data.id;
  const deal = await step("deals.add", () => deals.addDeal({ AddDealRequest: { title: "Families", is_deleted: false } }));
  const person = await step("persons.add", () =>
    persons.addPerson({ AddPersonRequest: { name: "Fam Ily", job_title: "Buyer", birthday: "1990-01-02" } }),
  );
  const dealId = deal?.data?.id;
  const ids = { deal: dealId, person: person?.data?.id, me };
  if (dealId) {
    await step("deals.addFollower", () => deals.addDealFollower({ id: dealId, AddDealFollowerRequest: { user_id: me } }));
    await step("deals.getFollowers", () => deals.getDealFollowers({ id: dealId }));
    await step("deals.getFollowersChangelog", () => deals.getDealFollowersChangelog({ id: dealId }));
    await step("deals.deleteFollower", () => deals.deleteDealFollower({ id: dealId, follower_id: me }));
    const product = await step("products.add", () => products.addProduct({ AddProductRequest: { name: "Gadget" } }));
    const line = { product_id: product?.data?.id, item_price: 40, quantity: 2, discount: 25, discount_type: "amount" };
    const att = await step("dealProducts.add", () => dealProducts.addDealProduct({ id: dealId, AddDealProductRequest: line }));
    ids.attachment = att?.data?.id;
    if (ids.attachment) {
      await step("dealProducts.update", () =>
        dealProducts.updateDealProduct({ id: dealId, product_attachment_id: ids.attachment, UpdateDealProductRequest: { quantity: 3 } }),
      );
    }
    await step("dealProducts.list", () => dealProducts.getDealProducts({ id: dealId }));
    await step("deals.getWithIncludes", () => deals.getDeal({ id: dealId, include_fields: "products_count,followers_count" }));
  }
  if (ids.person) {
    await step("persons.addFollower", () =>
      persons.addPersonFollower({ id: ids.person, AddDealFollowerRequest: { user_id: me } }),
    );
  }
  const log = await step("callLogs.add", () =>
    callLogs.addCallLog({
      AddCallLogRequest: {
        outcome: "left_voicemail",
        to_phone_number: "+15550100",
        start_time: "2024-04-01 09:00:00",
        end_time: "2024-04-01 09:01:00",
        person_id: ids.person,
        deal_id: dealId,
      },
    }),
  );
  ids.callLog = log?.data?.id;
  if (ids.callLog) {
    await step("callLogs.get", () => callLogs.getCallLog({ id: ids.callLog }));
    await step("callLogs.list", () => callLogs.getUserCallLogs({ limit: 50 }));
    await step("callLogs.delete", () => callLogs.deleteCallLog({ id: ids.callLog }));
    await step("callLogs.get.afterDelete", () => callLogs.getCallLog({ id: ids.callLog }));
  }
  await schemaWrites(cfg2);
  return { ids };
}

// Field, pipeline and stage writes through the v2 client.
async function schemaWrites(cfg2) {
  const dealFields = new v2.DealFieldsApi(cfg2);
  const pipelines = new v2.PipelinesApi(cfg2);
  const stages = new v2.StagesApi(cfg2);
  const field = await step("dealFields.add", () =>
    dealFields.addDealField({
      AddDealFieldRequest: { field_name: "Channel", field_type: "enum", options: [{ label: "Web" }] },
    }),
  );
  const code = field?.data?.field_code;
  if (code) {
    await step("dealFields.addOptions", () =>
      dealFields.addDealFieldOptions({ field_code: code, AddDealFieldOptionsRequestInner: [{ label: "Phone" }] }),
    );
    await step("dealFields.update", () =>
      dealFields.updateDealField({ field_code: code, UpdateDealFieldRequest: { field_name: "Lead channel" } }),
    );
    await step("dealFields.delete", () => dealFields.deleteDealField({ field_code: code }));
  }
  const pipeline = await step("pipelines.add", () => pipelines.addPipeline({ AddPipelineRequest: { name: "Renewals" } }));
  const pid = pipeline?.data?.id;
  if (pid) {
    const stage = await step("stages.add", () =>
      stages.addStage({ AddStageRequest: { name: "Signed", pipeline_id: pid, deal_probability: 90 } }),
    );
    if (stage?.data?.id) {
      await step("stages.update", () => stages.updateStage({ id: stage.data.id, UpdateStageRequest: { name: "Countersigned" } }));
    }
    await step("pipelines.update", () => pipelines.updatePipeline({ id: pid, UpdatePipelineRequest: { name: "Renewals 2" } }));
    await step("pipelines.delete", () => pipelines.deletePipeline({ id: pid }));
  }
}

const modes = { crud, families, "oauth-url": oauthUrl, "oauth-exchange": oauthExchange };
const mode = process.argv[2];
if (!modes[mode]) {
  console.error(`usage: node pipedrive_client.mjs ${Object.keys(modes).join("|")}`);
  process.exit(2);
}
const summary = await modes[mode]();
console.log(JSON.stringify({ mode, summary, results }));
