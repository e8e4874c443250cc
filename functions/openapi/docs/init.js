// Renders the API's OpenAPI document as a read-only reference. Kept out of the page so the
// Content-Security-Policy needs no inline script.
"use strict";

(function () {
  var root = document.getElementById("reference");
  // Relative to the page, so it names this API's document under whatever stage or base path serves it.
  var documentUrl = new URL(root.dataset.document, document.baseURI).href;

  // A reference, not a client: no "Try it out", no form that takes an API key.
  var ReadOnly = function () {
    var nothing = function () { return function () { return null; }; };
    return { wrapComponents: { authorizeBtn: nothing, authorizeOperationBtn: nothing } };
  };

  window.ui = SwaggerUIBundle({
    url: documentUrl,
    domNode: root,
    deepLinking: true,
    supportedSubmitMethods: [],
    validatorUrl: null,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [ReadOnly],
    layout: "BaseLayout",
    defaultModelsExpandDepth: 0,
  });
})();
