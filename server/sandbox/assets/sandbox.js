// The sandbox's Swagger UI configuration (server/sandbox; api.md section 19). A file rather than
// an inline script: the page's Content-Security-Policy allows scripts of this origin only.
"use strict";

window.ui = SwaggerUIBundle({
  url: "/api/doc/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  displayOperationId: true,
  // the document's x- extensions (x-operators of the filters, …) are part of its documentation
  showExtensions: true,
  showCommonExtensions: true,
  tryItOutEnabled: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  filter: true,
  docExpansion: "none",
  defaultModelsExpandDepth: 0,
  // Swagger UI's default shows a badge from an external validator: nothing leaves the origin
  validatorUrl: null,
  // for the authorization code flow, where an application registered this redirect URI
  oauth2RedirectUrl: window.location.origin + "/api/doc/assets/oauth2-redirect.html",
  requestSnippetsEnabled: true,
  requestSnippets: {
    generators: {
      curl_bash: { title: "cURL (bash)", syntax: "bash" },
      curl_powershell: { title: "cURL (PowerShell)", syntax: "powershell" },
      curl_cmd: { title: "cURL (CMD)", syntax: "bash" },
    },
    defaultExpanded: true,
    languages: null,
  },
  // The curl line shown after sending is made from the request as sent (showMutatedRequest),
  // with its curlOptions: -g (--globoff) makes curl take the brackets of filter[name][contains]
  // and page[size] literally instead of as its URL globbing, so the line works when pasted.
  //
  // WSSE needs two headers: the `wsse` scheme of the Authorize dialog sends X-WSSE (an apiKey
  // header), and the scheme's name goes with it in Authorization.
  requestInterceptor: (request) => {
    request.curlOptions = ["-g"];
    const headers = request.headers || {};
    if (headers["X-WSSE"] && !headers.Authorization) {
      headers.Authorization = 'WSSE profile="UsernameToken"';
    }
    return request;
  },
});

// The authorization code flow with PKCE (S256): public clients need it, confidential ones may
// use it (an option of initOAuth, not of the configuration above).
window.ui.initOAuth({ usePkceWithAuthorizationCodeGrant: true });

// A pasted access token (from `curl … /oauth2-token`, say) is stored as the oauth2 scheme's
// token, as the Authorize dialog stores one it obtained: every request then sends
// "Authorization: Bearer <token>", the curl line included, and Logout in that dialog forgets it.
// (Swagger UI's OAuth2 dialog obtains tokens but has no field to paste one.)
document.getElementById("sandbox-token").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("sandbox-token-input");
  const status = document.getElementById("sandbox-token-status");
  const token = input.value.trim().replace(/^Bearer\s+/i, "");
  const schema = window.ui.specSelectors.securityDefinitions()?.get("oauth2");
  if (!token || !schema) {
    status.textContent = token ? "The document is not loaded yet." : "Paste a token first.";
    return;
  }
  window.ui.authActions.authorizeOauth2WithPersistOption({
    auth: { name: "oauth2", schema: schema, flow: "pasted" },
    token: { access_token: token, token_type: "Bearer" },
  });
  input.value = "";
  status.textContent = "Token set: requests send it (Authorize → Logout forgets it).";
});
