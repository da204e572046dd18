// Drives the official `pipedrive` npm client's v1 field APIs (deal, person, organization, product,
// activity, lead and note fields) and its v2 project fields against the crmbridge sandbox.
//
//   node pipedrive_v1_fields.mjs      env: PD_API_DOMAIN, PD_API_TOKEN
//
// Every step is recorded separately as {ok: true, value} or {ok: false, error}, where error is the response
// body the client rejected with (or the thrown message), so the Python test can say which call broke.

import { v1, v2 } from "pipedrive";

import { env, results, step } from "./steps.mjs";

// Deal, person and organization fields share one request model (CreateFieldRequest / UpdateFieldRequest).
async function sharedFamily(name, api, add, get, list, update, remove, removeMany) {
  await step(`${name}.list`, () => api[list]({ start: 0, limit: 5 }));
  const field = await step(`${name}.add`, () =>
    api[add]({
      CreateFieldRequest: { name: `${name} tier`, field_type: "enum", options: [{ label: "Gold" }, { label: "Silver" }] },
    }),
  );
  const id = field?.data?.id;
  const ids = { [name]: id, [`${name}.key`]: field?.data?.key };
  if (id) {
    await step(`${name}.get`, () => api[get]({ id }));
    const gold = field.data.options[0];
    await step(`${name}.update`, () =>
      api[update]({
        id,
        UpdateFieldRequest: {
          name: `${name} level`,
          options: [{ id: gold.id, label: "Platinum" }, { label: "Bronze" }],
          add_visible_flag: false,
        },
      }),
    );
    await step(`${name}.delete`, () => api[remove]({ id }));
    await step(`${name}.get.afterDelete`, () => api[get]({ id }));
  }
  const a = await step(`${name}.addA`, () => api[add]({ CreateFieldRequest: { name: "A", field_type: "varchar" } }));
  const b = await step(`${name}.addB`, () => api[add]({ CreateFieldRequest: { name: "B", field_type: "monetary" } }));
  if (a?.data?.id && b?.data?.id) {
    await step(`${name}.deleteMany`, () => api[removeMany]({ ids: `${a.data.id},${b.data.id}` }));
  }
  return ids;
}

async function main() {
  const apiDomain = env("PD_API_DOMAIN");
  const apiKey = env("PD_API_TOKEN");
  const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
  const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
  const ids = {
    ...(await sharedFamily("dealFields", new v1.DealFieldsApi(cfg1), "addDealField", "getDealField",
      "getDealFields", "updateDealField", "deleteDealField", "deleteDealFields")),
    ...(await sharedFamily("personFields", new v1.PersonFieldsApi(cfg1), "addPersonField", "getPersonField",
      "getPersonFields", "updatePersonField", "deletePersonField", "deletePersonFields")),
    ...(await sharedFamily("organizationFields", new v1.OrganizationFieldsApi(cfg1), "addOrganizationField",
      "getOrganizationField", "getOrganizationFields", "updateOrganizationField", "deleteOrganizationField",
      "deleteOrganizationFields")),
  };

  // v1 ↔ v2: the deal field made above (then deleted) and a fresh one read through the v2 client.
  const v2DealFields = new v2.DealFieldsApi(cfg2);
  const kept = await step("dealFields.addKept", () =>
    new v1.DealFieldsApi(cfg1).addDealField({ CreateFieldRequest: { name: "Kept", field_type: "double" } }),
  );
  if (kept?.data?.key) {
    await step("v2.dealFields.getKept", () => v2DealFields.getDealField({ field_code: kept.data.key }));
  }

  const products = new v1.ProductFieldsApi(cfg1);
  await step("productFields.list", () => products.getProductFields({ limit: 3 }));
  const pf = await step("productFields.add", () =>
    products.addProductField({ ProductFieldAllOf: { name: "Colour", field_type: "set", options: [{ label: "red" }] } }),
  );
  const pid = pf?.data?.id;
  ids.productField = pid;
  if (pid) {
    await step("productFields.get", () => products.getProductField({ id: pid }));
    await step("productFields.update", () =>
      products.updateProductField({
        id: pid,
        UpdateProductFieldResponse: { name: "Color", options: [{ id: pf.data.options[0].id, label: "crimson" }] },
      }),
    );
    await step("productFields.delete", () => products.deleteProductField({ id: pid }));
    await step("productFields.get.afterDelete", () => products.getProductField({ id: pid }));
  }
  const pf2 = await step("productFields.addB", () =>
    products.addProductField({ ProductFieldAllOf: { name: "Size", field_type: "varchar" } }),
  );
  if (pf2?.data?.id) await step("productFields.deleteMany", () => products.deleteProductFields({ ids: `${pf2.data.id}` }));

  await step("activityFields.list", () => new v1.ActivityFieldsApi(cfg1).getActivityFields());
  await step("leadFields.list", () => new v1.LeadFieldsApi(cfg1).getLeadFields({ limit: 500 }));
  await step("noteFields.list", () => new v1.NoteFieldsApi(cfg1).getNoteFields());

  const projectFields = new v2.ProjectFieldsApi(cfg2);
  await step("projectFields.list", () => projectFields.getProjectFields({ limit: 100 }));
  await step("projectFields.get", () => projectFields.getProjectField({ field_code: "title" }));
  const prj = await step("projectFields.add", () =>
    projectFields.addProjectField({
      AddProjectFieldRequest: { field_name: "Risk", field_type: "enum", options: [{ label: "Low" }] },
    }),
  );
  const code = prj?.data?.field_code;
  if (code) {
    await step("projectFields.addOptions", () =>
      projectFields.addProjectFieldOptions({ field_code: code, AddDealFieldOptionsRequestInner: [{ label: "High" }] }),
    );
    await step("projectFields.update", () =>
      projectFields.updateProjectField({ field_code: code, UpdateProjectFieldRequest: { field_name: "Risk level" } }),
    );
    await step("projectFields.delete", () => projectFields.deleteProjectField({ field_code: code }));
  }
  return { ids };
}

const summary = await main();
console.log(JSON.stringify({ mode: "v1-fields", summary, results }));
