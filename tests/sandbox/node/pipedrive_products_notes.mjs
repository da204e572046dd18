// Drives the official `pipedrive` npm client over product variations, product duplicate and note
// comments against the crmbridge sandbox, and prints one JSON object.
//
//   node pipedrive_products_notes.mjs families   env: PD_API_DOMAIN, PD_API_TOKEN
//
// Every step is recorded separately as {ok: true, value} or {ok: false, error}, where error is the response
// body the client rejected with (or the thrown message), so the Python test can say which call broke.

import { v1, v2 } from "pipedrive";

import { env, results, step } from "./steps.mjs";

async function variations(cfg2, ids) {
  const products = new v2.ProductsApi(cfg2);
  const dealProducts = new v2.DealProductsApi(cfg2);
  const deals = new v2.DealsApi(cfg2);
  const product = await step("products.add", () =>
    products.addProduct({ AddProductRequest: { name: "Jacket", prices: [{ currency: "EUR", price: 80 }] } }),
  );
  const id = product?.data?.id;
  ids.product = id;
  if (!id) return;
  const red = await step("variations.add", () =>
    products.addProductVariation({
      id,
      AddProductVariationRequest: { name: "Red", prices: [{ currency: "EUR", price: 90, cost: 30, notes: "promo" }] },
    }),
  );
  await step("variations.addDefaultPrice", () =>
    products.addProductVariation({ id, AddProductVariationRequest: { name: "Blue" } }),
  );
  await step("variations.addWithoutName", () => products.addProductVariation({ id, AddProductVariationRequest: {} }));
  const vid = red?.data?.id;
  ids.variation = vid;
  await step("variations.list", () => products.getProductVariations({ id }));
  await step("variations.page", () => products.getProductVariations({ id, limit: 1 }));
  if (vid) {
    await step("variations.update", () =>
      products.updateProductVariation({
        id,
        product_variation_id: vid,
        UpdateProductVariationRequest: { name: "Crimson" },
      }),
    );
    const deal = await step("deals.add", () => deals.addDeal({ AddDealRequest: { title: "Variation deal" } }));
    if (deal?.data?.id) {
      await step("dealProducts.addWithVariation", () =>
        dealProducts.addDealProduct({
          id: deal.data.id,
          AddDealProductRequest: { product_id: id, item_price: 90, quantity: 1, product_variation_id: vid },
        }),
      );
    }
  }
  await step("products.duplicate", () => products.duplicateProduct({ id }));
  const copyId = results["products.duplicate"]?.value?.data?.id;
  if (copyId) await step("variations.listOfCopy", () => products.getProductVariations({ id: copyId }));
  if (vid) {
    await step("variations.delete", () => products.deleteProductVariation({ id, product_variation_id: vid }));
    await step("variations.updateAfterDelete", () =>
      products.updateProductVariation({ id, product_variation_id: vid, UpdateProductVariationRequest: { name: "X" } }),
    );
  }
  await step("variations.listOfMissing", () => products.getProductVariations({ id: 987654321 }));
}

async function comments(cfg1, cfg2, ids) {
  const notes = new v1.NotesApi(cfg1);
  const deal = await step("deals.addForNote", () =>
    new v2.DealsApi(cfg2).addDeal({ AddDealRequest: { title: "Commented deal" } }),
  );
  const note = await step("notes.add", () =>
    notes.addNote({ AddNoteRequest: { content: "<p>Call notes</p>", deal_id: deal?.data?.id } }),
  );
  const id = note?.data?.id;
  ids.note = id;
  if (!id) return;
  const comment = await step("comments.add", () =>
    notes.addNoteComment({ id, CommentPostPutObject: { content: "<p>Agreed</p>" } }),
  );
  await step("comments.addSecond", () => notes.addNoteComment({ id, CommentPostPutObject: { content: "Second" } }));
  await step("comments.addEmpty", () => notes.addNoteComment({ id, CommentPostPutObject: { content: "" } }));
  const commentId = comment?.data?.uuid;
  ids.comment = commentId;
  await step("comments.list", () => notes.getNoteComments({ id }));
  await step("comments.page", () => notes.getNoteComments({ id, start: 1, limit: 1 }));
  if (commentId) {
    await step("comments.get", () => notes.getComment({ id, commentId }));
    await step("comments.update", () =>
      notes.updateCommentForNote({ id, commentId, CommentPostPutObject: { content: "<p>Agreed twice</p>" } }),
    );
    await step("comments.delete", () => notes.deleteComment({ id, commentId }));
    await step("comments.getAfterDelete", () => notes.getComment({ id, commentId }));
  }
  await step("notes.delete", () => notes.deleteNote({ id }));
  await step("comments.listAfterNoteDelete", () => notes.getNoteComments({ id }));
}

async function families() {
  const apiDomain = env("PD_API_DOMAIN");
  const apiKey = env("PD_API_TOKEN");
  const cfg2 = new v2.Configuration({ apiKey, basePath: `${apiDomain}/api/v2` });
  const cfg1 = new v1.Configuration({ apiKey, basePath: `${apiDomain}/api/v1` });
  const ids = { me: (await new v1.UsersApi(cfg1).getCurrentUser()).data.id };
  await variations(cfg2, ids);
  await comments(cfg1, cfg2, ids);
  return { ids };
}

const modes = { families };
const mode = process.argv[2];
if (!modes[mode]) {
  console.error(`usage: node pipedrive_products_notes.mjs ${Object.keys(modes).join("|")}`);
  process.exit(2);
}
const summary = await modes[mode]();
console.log(JSON.stringify({ mode, summary, results }));
