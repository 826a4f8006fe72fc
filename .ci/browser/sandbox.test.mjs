// The sandbox's browser test (issue 10, item 2): Debian's Chromium, driven by playwright-core,
// uses /api/doc as a person would. It builds and starts the server with the demo data, then:
// authorizes with the OAuth client that `serve --demo` prints (client credentials flow of the
// Authorize dialog), lists accounts with a bracketed filter and an include through "Try it out",
// creates an account with a JSON:API body, checks the status and body shown on the page, and runs
// the curl lines shown with bash, which must get the same status. Then it reads the account with
// each other way in: a pasted token, a WSSE header, the password flow, the authorization code
// flow with PKCE. Any request to another origin
// fails the test (the page must work offline), and so does a Content-Security-Policy violation.
// On failure a screenshot, the page's console log and the server's output are kept in
// .ci/browser/tmp/, and the exit status is 1.
//
//   node .ci/browser/sandbox.test.mjs      (CHROMIUM=/path overrides /usr/bin/chromium)
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const keep = path.join(here, "tmp");
const work = mkdtempSync(path.join(os.tmpdir(), "webapi-sandbox-"));
const timeout = 30_000;
const started = Date.now();

const consoleLog = [];
const problems = [];
let server, serverOut = "", browser, page;

function check(ok, what) {
  if (!ok) throw new Error(what);
  console.log(`ok  ${what.split("\n")[0]} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    }).on("error", reject);
  });
}

// startServer builds the binary, starts `serve --demo` on a free port and returns its base URL
// and the credentials it printed.
const bin = path.join(work, "webapi");
const database = `sqlite:${path.join(work, "sandbox.db")}`;

async function startServer() {
  execFileSync("go", ["build", "-o", bin, "./cmd/webapi"], { cwd: root, stdio: "inherit", env: { ...process.env, CGO_ENABLED: "0" } });
  const addr = `127.0.0.1:${await freePort()}`;
  server = spawn(bin, ["serve", "--demo", "--addr", addr, "--database", database],
    { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.on("data", (b) => { serverOut += b; });
  server.stderr.on("data", (b) => { serverOut += b; });
  const base = `http://${addr}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = /OAuth client:\s+client_id (\S+), client_secret (\S+) /.exec(serverOut);
    const user = /user:\s+admin, password (\S+)/.exec(serverOut);
    if (client && user && await fetch(base + "/healthz").then((r) => r.ok, () => false)) {
      return { base, clientId: client[1], clientSecret: client[2], password: user[1] };
    }
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
    if (Date.now() > deadline) throw new Error("the server did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
}

// runCurl runs a curl line shown on the page with bash and returns the status it got.
async function runCurl(line) {
  const { stdout } = await promisify(execFile)("bash", ["-c", `${line} -s -o /dev/null -w '%{http_code}'`], { timeout });
  return Number(stdout);
}

// execute sends the operation's form and returns what the page shows of the response. A response
// shown by an earlier run of the same operation is cleared first (the page's Clear button), so that
// what is read is the new response and never a mix of the two.
async function execute(op) {
  const live = op.locator(".live-responses-table .response");
  const clear = op.locator("button.btn-clear");
  if (await clear.count()) {
    await clear.click();
    await live.locator(".response-col_status").waitFor({ state: "detached", timeout });
  }
  await op.locator("button.execute").click();
  await live.locator(".response-col_status").waitFor({ timeout });
  const curl = (await op.locator(".request-snippets pre, .curl-command pre").first().textContent()).trim();
  return {
    status: Number((await live.locator(".response-col_status").textContent()).trim()),
    body: (await live.locator(".response-col_description pre.microlight, .response-col_description pre").first().textContent()).trim(),
    url: (await op.locator(".request-url pre").first().textContent()).trim(),
    curl,
  };
}

async function main() {
  const { base, clientId, clientSecret, password } = await startServer();
  console.log(`server at ${base}`);

  // a demo account that has contacts: the list below filters on a word of its name
  const token = await fetch(base + "/oauth2-token", { method: "POST",
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }) }).then((r) => r.json());
  const sample = await fetch(base + "/api/accounts?filter[contacts][exists]=true&page[size]=1",
    { headers: { Authorization: `Bearer ${token.access_token}` } }).then((r) => r.json());
  const word = sample.data[0].attributes.name.split(" ")[0];

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const origin = new URL(base).origin;
  await context.route("**", (route) => {
    const u = new URL(route.request().url());
    if (u.origin === origin || !u.protocol.startsWith("http")) return route.continue();
    problems.push(`a request to another origin: ${u.href}`);
    return route.abort("blockedbyclient");
  });
  page = await context.newPage();
  page.on("console", (m) => {
    consoleLog.push(`${m.type()}: ${m.text()}`);
    if (/Content Security Policy/i.test(m.text())) problems.push(`a CSP violation: ${m.text()}`);
  });
  page.on("pageerror", (e) => { consoleLog.push(`pageerror: ${e.message}`); problems.push(`a script error: ${e.message}`); });

  // deep link to the list operation (deepLinking: tag/operationId)
  await page.goto(base + "/api/doc#/accounts/listAccounts");
  const list = page.locator("#operations-accounts-listAccounts");
  await list.locator("button.execute").waitFor({ timeout });
  check(await page.locator(".swagger-ui .info .title").textContent().then((t) => t.length > 0), "the page shows the document's title");

  // the Authorize dialog, client credentials flow (Swagger UI sends them as HTTP Basic)
  await page.locator(".auth-wrapper button.authorize").click();
  const flow = page.locator(".auth-container").filter({ hasText: "clientCredentials" });
  await flow.locator("#client_id_clientCredentials").fill(clientId);
  await flow.locator("#client_secret_clientCredentials").fill(clientSecret);
  await flow.locator("button.authorize").click();
  await flow.locator("button", { hasText: "Logout" }).waitFor({ timeout });
  check(await flow.locator(".errors").count() === 0, "authorized with the client credentials flow");
  await flow.locator("button.btn-done").click();

  // list: a bracketed filter, an include, a header parameter (the document's X-Include)
  for (const name of ["filter[name][contains]", "include", "X-Include"]) {
    check(await list.locator(`tr[data-param-name="${name}"]`).count() === 1, `the form has the parameter ${name}`);
  }
  await list.locator('tr[data-param-name="filter[name][contains]"] input').fill(word);
  await list.locator('tr[data-param-name="include"] input').fill("contacts");
  await list.locator('tr[data-param-name="X-Include"] input').fill("totalCount");
  const listed = await execute(list);
  check(listed.status === 200, `GET /api/accounts shows 200 (got ${listed.status})\n${listed.body}`);
  const doc = JSON.parse(listed.body);
  check(doc.data.length > 0 && doc.data.every((a) => a.type === "accounts" && a.attributes.name.toLowerCase().includes(word.toLowerCase())),
    `the body shown lists the accounts whose name contains ${word}`);
  check(Array.isArray(doc.included) && doc.included.some((r) => r.type === "contacts"), "the body shown includes their contacts");
  check(await list.locator(".live-responses-table .headerline").allTextContents().then((l) => l.join("\n")).then((t) => /x-include-total-count: \d+/i.test(t)),
    "the headers shown have X-Include-Total-Count");
  check(/^curl -g /.test(listed.curl) && listed.curl.includes("Authorization: Bearer "), `the curl line has -g and the token\n${listed.curl}`);
  check(await runCurl(listed.curl) === 200, "the curl line of the list gets 200 with bash");

  // create: the document's example body, with a name of this run
  const create = page.locator("#operations-accounts-createAccount");
  await create.locator(".opblock-summary-control").click();
  await create.locator("button.execute").waitFor({ timeout });
  const name = `Sandbox test ${Date.now()}`;
  const editor = create.locator("textarea.body-param__text");
  const example = JSON.parse(await editor.inputValue());
  check(example.data?.type === "accounts", "the body editor holds the document's example");
  example.data.attributes = { name };
  await editor.fill(JSON.stringify(example, null, 2));
  const created = await execute(create);
  check(created.status === 201, `POST /api/accounts shows 201 (got ${created.status})\n${created.body}`);
  const account = JSON.parse(created.body).data;
  check(account.type === "accounts" && account.attributes.name === name && /^\d+$/.test(account.id), `the body shown is the new account ${account.id}`);
  check(/^curl -g /.test(created.curl) && created.curl.includes("Authorization: Bearer "), "the curl line of the create has -g and the token");
  check(await runCurl(created.curl) === 201, "the curl line of the create gets 201 with bash");

  // the batch API: a synchronous batch (X-Mode from the form's list), then an asynchronous one
  // whose operation the workers of `serve` finish
  const batch = page.locator("#operations-accounts-batchAccounts");
  await batch.locator(".opblock-summary-control").click();
  await batch.locator("button.execute").waitFor({ timeout });
  const batchEditor = batch.locator("textarea.body-param__text");
  check(Array.isArray(JSON.parse(await batchEditor.inputValue()).data), "the batch body editor holds the document's example (an array)");
  await batch.locator('tr[data-param-name="X-Mode"] select').selectOption("sync");
  await batchEditor.fill(JSON.stringify({ data: [
    { type: "accounts", id: "first", attributes: { name: `${name} batch 1` } },
    { type: "accounts", attributes: { name: `${name} batch 2` } }] }, null, 2));
  const synced = await execute(batch);
  check(synced.status === 200, `PATCH /api/accounts with X-Mode sync shows 200 (got ${synced.status})\n${synced.body}`);
  const syncDoc = JSON.parse(synced.body);
  check(syncDoc.data.length === 2 && syncDoc.data[0].meta?.dataId === "first" && syncDoc.data[1].attributes.name === `${name} batch 2`,
    "the body shown has both accounts in request order, the first with meta.dataId");
  await batch.locator('tr[data-param-name="X-Mode"] select').selectOption("async");
  await batchEditor.fill(JSON.stringify({ data: [{ type: "accounts", attributes: { name: `${name} async` } }] }, null, 2));
  const queued = await execute(batch);
  check(queued.status === 202, `PATCH /api/accounts with X-Mode async shows 202 (got ${queued.status})\n${queued.body}`);
  const op = JSON.parse(queued.body).data;
  check(op.type === "asyncoperations" && op.attributes.status === "new", "the body shown is the new operation");
  let state = op.attributes.status;
  for (let i = 0; i < 100 && (state === "new" || state === "running"); i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = (await fetch(`${base}/api/asyncoperations/${op.id}`, { headers: { Authorization: `Bearer ${token.access_token}` } }).then((r) => r.json())).data.attributes.status;
  }
  check(state === "success", `the operation ${op.id} ends success (got ${state})`);

  // the search endpoints: the account created above is in the index at once
  await page.goto(base + "/api/doc#/search/search");
  await page.reload(); // a deep link opens the operation (the authorization persists)
  const searchOp = page.locator("#operations-search-search");
  await searchOp.locator("button.execute").waitFor({ timeout });
  await searchOp.locator('tr[data-param-name="search"] input').fill(name);
  const searched = await execute(searchOp);
  check(searched.status === 200, `GET /api/rest/latest/search shows 200 (got ${searched.status})\n${searched.body}`);
  const hits = JSON.parse(searched.body);
  check(hits.data.some((h) => h.entity_name === "accounts" && String(h.record_id) === account.id && h.record_string === name),
    `the simple search finds the new account ${account.id}`);
  const advancedOp = page.locator("#operations-search-searchAdvanced");
  await advancedOp.locator(".opblock-summary-control").click(); // the same tag, open now
  await advancedOp.locator("button.execute").waitFor({ timeout });
  await advancedOp.locator('tr[data-param-name="query"] input').fill(`select name from accounts where name like "${name}"`);
  const adv = await execute(advancedOp);
  check(adv.status === 200 && JSON.parse(adv.body).data.some((h) => h.selected_data?.name === name),
    `the advanced search selects the account's name (got ${adv.status})\n${adv.body}`);
  const listSearchOp = page.locator("#operations-search-listSearch");
  await listSearchOp.locator(".opblock-summary-control").click(); // the same tag
  await listSearchOp.locator("button.execute").waitFor({ timeout });
  await listSearchOp.locator('tr[data-param-name="filter[searchText]"] input').fill(name);
  const listed2 = await execute(listSearchOp);
  check(listed2.status === 200 && JSON.parse(listed2.body).data.some((r) => r.id === `accounts-${account.id}`),
    `the JSON:API search lists accounts-${account.id} (got ${listed2.status})\n${listed2.body}\n${listed2.url}`);

  // a pasted token (the page's own field) is sent the same way
  await page.locator(".auth-wrapper button.authorize").click();
  await page.locator(".auth-container").filter({ hasText: "clientCredentials" }).locator("button", { hasText: "Logout" }).click();
  await page.locator("button.btn-done").first().click();
  await page.locator("#sandbox-token-input").fill(token.access_token);
  await page.locator("#sandbox-token button").click();
  await page.goto(base + "/api/doc#/accounts/getAccount");
  await page.reload(); // persistAuthorization: the token survives a reload
  const read = page.locator("#operations-accounts-getAccount");
  await read.locator("button.execute").waitFor({ timeout });
  await read.locator('tr[data-param-name="id"] input').fill(account.id);
  const got = await execute(read);
  check(got.status === 200 && JSON.parse(got.body).data.attributes.name === name, `a pasted token reads the new account (got ${got.status})`);
  check(got.curl.includes(`Authorization: Bearer ${token.access_token}`), "the curl line sends the pasted token");

  // WSSE: a header made by the command line goes in the wsse scheme; the page adds the
  // Authorization header that names the scheme
  await page.locator(".auth-wrapper button.authorize").click();
  await page.locator(".auth-container").filter({ hasText: "clientCredentials" }).locator("button", { hasText: "Logout" }).click();
  const key = execFileSync(bin, ["user", "api-key", "admin", "--database", database]).toString().trim();
  const wsse = execFileSync(bin, ["wsse-header", "--username", "admin", "--api-key", key]).toString();
  const xwsse = /^X-WSSE: (.+)$/m.exec(wsse)[1];
  const wsseForm = page.locator(".auth-container").filter({ hasText: "X-WSSE" });
  await wsseForm.locator("input").fill(xwsse);
  await wsseForm.locator("button.authorize").click();
  await page.locator("button.btn-done").first().click();
  const byWSSE = await execute(read);
  check(byWSSE.status === 200 && byWSSE.curl.includes(`X-WSSE: ${xwsse}`) && byWSSE.curl.includes(`Authorization: WSSE profile="UsernameToken"`),
    `a WSSE header reads the account, and the curl line has both headers (got ${byWSSE.status})\n${byWSSE.curl}`);

  // the password flow, with the client's credentials in the body this time
  await page.locator(".auth-wrapper button.authorize").click();
  await wsseForm.locator("button", { hasText: "Logout" }).click();
  const pw = page.locator(".auth-container").filter({ hasText: "OAuth2, password" });
  await pw.locator("#oauth_username").fill("admin");
  await pw.locator("#oauth_password").fill(password);
  await pw.locator("#password_type").selectOption("request-body");
  await pw.locator("#client_id_password").fill(clientId);
  await pw.locator("#client_secret_password").fill(clientSecret);
  await pw.locator("button.authorize").click();
  await pw.locator("button", { hasText: "Logout" }).waitFor({ timeout });
  await pw.locator("button.btn-done").click();
  const byPassword = await execute(read);
  check(byPassword.status === 200 && /Authorization: Bearer \S+'/.test(byPassword.curl) && !byPassword.curl.includes(token.access_token),
    `the password flow's token reads the account (got ${byPassword.status})`);

  // the authorization code flow with PKCE, for a public application registered with the page's
  // redirect URI: Swagger UI opens the login page in a popup, which returns through
  // /api/doc/assets/oauth2-redirect.html
  const app = JSON.parse(execFileSync(bin, ["oauth-app", "create", "--name", "Sandbox code flow", "--user", "admin", "--public",
    "--grant", "authorization_code", "--redirect-uri", `${base}/api/doc/assets/oauth2-redirect.html`, "--json", "--database", database]).toString());
  await page.locator(".auth-wrapper button.authorize").click();
  await pw.locator("button", { hasText: "Logout" }).click();
  const code = page.locator(".auth-container").filter({ hasText: "OAuth2, authorizationCode" });
  await code.locator("#client_id_authorizationCode").fill(app.client_id);
  const popup = context.waitForEvent("page", { timeout });
  await code.locator("button.authorize").click();
  const login = await popup;
  await login.locator('input[name="username"]').fill("admin");
  await login.locator('input[name="password"]').fill(password);
  await login.locator('button[type="submit"]').click();
  await login.locator('button[value="allow"]').click(); // the consent page
  await code.locator("button", { hasText: "Logout" }).waitFor({ timeout });
  await code.locator("button.btn-done").click();
  const byCode = await execute(read);
  check(byCode.status === 200, `the authorization code flow's token reads the account (got ${byCode.status})`);

  // the localization and currency headers are fields of the operations that take them
  await page.goto(base + "/api/doc#/products/listProducts");
  await page.reload();
  const products = page.locator("#operations-products-listProducts");
  await products.locator("button.execute").waitFor({ timeout });
  for (const name of ["X-Localization-ID", "X-Currency"]) {
    check(await products.locator(`tr[data-param-name="${name}"] input`).count() === 1, `listProducts has the header field ${name}`);
  }

  check(problems.length === 0, `no request left the origin, no CSP violation, no script error\n${problems.join("\n")}`);
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error("FAILED: " + (err.stack || err));
  mkdirSync(keep, { recursive: true });
  if (page) await page.screenshot({ path: path.join(keep, "sandbox-failure.png"), fullPage: true }).catch(() => {});
  writeFileSync(path.join(keep, "console.log"), consoleLog.join("\n") + "\n");
  writeFileSync(path.join(keep, "server.log"), serverOut);
  if (problems.length) console.error(problems.join("\n"));
  console.error(`kept in ${keep}: sandbox-failure.png, console.log, server.log`);
} finally {
  await browser?.close().catch(() => {});
  server?.kill();
  rmSync(work, { recursive: true, force: true });
}
console.log(failed ? "browser: 0 passed, 1 failed" : "browser: 1 passed, 0 failed");
process.exit(failed ? 1 : 0);
