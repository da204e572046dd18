// What every client script here shares: its settings from the environment, and a recorder that keeps each
// step's outcome apart ({ok: true, value} or {ok: false, error}, where error is the response body the
// client rejected with, or the thrown message), so the Python test can say which call broke.

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

export const results = {};

export async function step(name, fn) {
  try {
    results[name] = { ok: true, value: await fn() };
  } catch (err) {
    const error = err && typeof err === "object" && !(err instanceof Error) ? err : { message: String(err) };
    results[name] = { ok: false, error };
  }
  return results[name].ok ? results[name].value : undefined;
}
