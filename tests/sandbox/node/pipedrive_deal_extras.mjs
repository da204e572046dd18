// Drives the official `pipedrive` npm client's v2 API classes over deal discounts, deal installments and
// lead <-> deal conversion against the crmbridge sandbox, and prints one JSON object.
//
//   node pipedrive_deal_extras.mjs    env: PD_API_DOMAIN, PD_API_TOKEN
//
// Every step is recorded as {ok: true, value} or {ok: false, error} (the body the client rejected with,
// or the thrown message), so the Python test can say which call broke.

import { v1, v2 } from "pipedrive";

import { env, results, step } from "./steps.mjs";

const apiDomain = env("PD_API_DOMAIN");
const apiKey = env("PD_API_TOKEN");
const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
const deals = new v2.DealsApi(cfg2);
const installments = new v2.DealInstallmentsApi(cfg2);
const leads2 = new v2.LeadsApi(cfg2);
const persons = new v2.PersonsApi(cfg2);
const products = new v2.ProductsApi(cfg2);
const dealProducts = new v2.DealProductsApi(cfg2);
const leads1 = new v1.LeadsApi(cfg1);

const ids = {};
const person = await step("persons.add", () => persons.addPerson({ AddPersonRequest: { name: "Extra Person" } }));
ids.person = person?.data?.id;
const deal = await step("deals.add", () =>
  deals.addDeal({ AddDealRequest: { title: "Extras", person_id: ids.person } }),
);
ids.deal = deal?.data?.id;
const product = await step("products.add", () => products.addProduct({ AddProductRequest: { name: "Bundle" } }));
if (ids.deal && product?.data?.id) {
  await step("dealProducts.add", () =>
    dealProducts.addDealProduct({
      id: ids.deal,
      AddDealProductRequest: { product_id: product.data.id, item_price: 200, quantity: 1 },
    }),
  );
}

// Discounts
if (ids.deal) {
  const added = await step("discounts.add", () =>
    deals.postAdditionalDiscount({
      id: ids.deal,
      AddAdditionalDiscountRequestBody: { description: "Loyalty", amount: 10, type: "percentage" },
    }),
  );
  ids.discount = added?.data?.id;
  await step("discounts.list", () => deals.getAdditionalDiscounts({ id: ids.deal }));
  if (ids.discount) {
    await step("discounts.update", () =>
      deals.updateAdditionalDiscount({
        id: ids.deal,
        discount_id: ids.discount,
        UpdateAdditionalDiscountRequestBody: { amount: 20, type: "amount" },
      }),
    );
    await step("deals.getDiscounted", () => deals.getDeal({ id: ids.deal }));
    await step("discounts.delete", () => deals.deleteAdditionalDiscount({ id: ids.deal, discount_id: ids.discount }));
  }
  await step("discounts.add.invalid", () =>
    deals.postAdditionalDiscount({
      id: ids.deal,
      AddAdditionalDiscountRequestBody: { description: "Bad", amount: 5, type: "fixed" },
    }),
  );
}

// Installments
if (ids.deal) {
  const added = await step("installments.add", () =>
    installments.postInstallment({
      id: ids.deal,
      AddInstallmentRequestBody: { description: "First", amount: 100, billing_date: "2025-01-15" },
    }),
  );
  ids.installment = added?.data?.id;
  await step("installments.add.second", () =>
    installments.postInstallment({
      id: ids.deal,
      AddInstallmentRequestBody: { description: "Second", amount: 100, billing_date: "2025-02-15" },
    }),
  );
  await step("installments.list", () =>
    installments.getInstallments({ deal_ids: [ids.deal, 987654], sort_by: "billing_date", sort_direction: "desc" }),
  );
  if (ids.installment) {
    await step("installments.update", () =>
      installments.updateInstallment({
        id: ids.deal,
        installment_id: ids.installment,
        UpdateInstallmentRequestBody: { amount: 120, billing_date: "2025-01-20" },
      }),
    );
    await step("installments.delete", () =>
      installments.deleteInstallment({ id: ids.deal, installment_id: ids.installment }),
    );
  }
}

// Lead -> deal, then that deal -> lead
const lead = await step("leads.add", () =>
  leads1.addLead({
    AddLeadRequest: { title: "Warm lead", person_id: ids.person, value: { amount: 700, currency: "EUR" } },
  }),
);
ids.lead = lead?.data?.id;
if (ids.lead) {
  const job = await step("leads.convertToDeal", () => leads2.convertLeadToDeal({ id: ids.lead, ConvertLeadToDealRequest: {} }));
  ids.leadConversion = job?.data?.conversion_id;
  if (ids.leadConversion) {
    const status = await step("leads.conversionStatus", () =>
      leads2.getLeadConversionStatus({ id: ids.lead, conversion_id: ids.leadConversion }),
    );
    ids.convertedDeal = status?.data?.deal_id;
  }
  await step("leads.getAfterConvert", () => leads1.getLead({ id: ids.lead }));
}
if (ids.convertedDeal) {
  await step("deals.getConverted", () => deals.getDeal({ id: ids.convertedDeal }));
  const job = await step("deals.convertToLead", () => deals.convertDealToLead({ id: ids.convertedDeal }));
  ids.dealConversion = job?.data?.conversion_id;
  if (ids.dealConversion) {
    const status = await step("deals.conversionStatus", () =>
      deals.getDealConversionStatus({ id: ids.convertedDeal, conversion_id: ids.dealConversion }),
    );
    ids.convertedLead = status?.data?.lead_id;
  }
  if (ids.convertedLead) await step("leads.getConverted", () => leads1.getLead({ id: ids.convertedLead }));
}
await step("deals.convertToLead.unknown", () => deals.convertDealToLead({ id: 987654 }));

console.log(JSON.stringify({ summary: { ids }, results }));
