// Dependency rules: dependencies point inward (channels → conversation → flows
// and the store port). `npm run deps` checks them over src and flows; the
// tests in test/architecture prove each rule still catches a violation.
// Paths are relative to the directory the cruise runs from (the repository,
// or a fixture tree in the tests), so rules only anchor project paths with ^.
const path = require('node:path');

/** Test files may import anything. */
const TESTS = '[.]test[.]ts$';
/** The store port. Everything else under src/store is an implementation (or its helpers). */
const STORE_PORT = '^src/store/store[.]ts$';
/** Packages that belong to the edges (HTTP, databases, queues, messaging SDKs), never to the core. */
const EDGE_PACKAGES = ['fastify', '@fastify/[^/]+', 'pg', 'ioredis', 'bullmq', 'grammy', 'botbuilder', 'whatsapp-web[.]js'];
const edgePackage = `(^|/node_modules/)(${EDGE_PACKAGES.join('|')})(/|$)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'flows-are-pure',
      severity: 'error',
      comment:
        'A flow only decides: it may import other flow files and xstate, nothing else (no src, no node built-ins, no other packages, no locale files).',
      from: { path: '^flows/', pathNot: TESTS },
      to: { pathNot: ['^flows/', '(^|/)node_modules/xstate/'] },
    },
    {
      name: 'conversation-not-to-edges',
      severity: 'error',
      comment:
        'The conversation core is channel-agnostic: no channels, HTTP, composition root, concrete stores (only the port src/store/store.ts), queue workers (src/outbox) or metrics (src/observability).',
      from: { path: '^src/conversation/', pathNot: TESTS },
      to: {
        path: ['^src/channels/', '^src/http/', '^src/(app|main)[.]ts$', '^src/store/', '^src/handoff/', '^src/outbox/', '^src/observability/'],
        pathNot: STORE_PORT,
      },
    },
    {
      name: 'handoff-core-not-to-edges',
      severity: 'error',
      comment:
        'The handoff (cases, consent, organisations) is channel-agnostic like the conversation core; only its inbox (src/handoff/inbox) serves HTTP.',
      from: { path: '^src/handoff/', pathNot: ['^src/handoff/inbox/', TESTS] },
      to: { path: ['^src/channels/', '^src/http/', '^src/handoff/inbox/', '^src/(app|main)[.]ts$'] },
    },
    {
      name: 'handoff-core-not-to-edge-packages',
      severity: 'error',
      comment: 'No HTTP, database or messaging packages in the handoff core.',
      from: { path: '^src/handoff/', pathNot: ['^src/handoff/inbox/', TESTS] },
      to: { path: edgePackage },
    },
    {
      name: 'conversation-not-to-edge-packages',
      severity: 'error',
      comment: 'The conversation core does not use HTTP servers, databases, queues or messaging SDKs; adapters do.',
      from: { path: '^src/conversation/', pathNot: TESTS },
      to: { path: edgePackage },
    },
    {
      name: 'store-not-to-core',
      severity: 'error',
      comment: 'Stores keep opaque JSON; they do not know the conversation layer or channels.',
      from: { path: '^src/store/', pathNot: TESTS },
      to: { path: ['^src/conversation/', '^src/channels/'] },
    },
    {
      name: 'channels-independent',
      severity: 'error',
      comment:
        'A channel folder does not import another channel folder; the two WhatsApp adapters share src/channels/whatsapp (WhatsApp message shapes), which imports no channel.',
      from: { path: '^src/channels/([^/]+)/', pathNot: TESTS },
      to: { path: '^src/channels/[^/]+/', pathNot: ['^src/channels/$1/', '^src/channels/whatsapp/'] },
    },
    {
      name: 'whatsapp-shared-only-for-whatsapp',
      severity: 'error',
      comment: 'The shared WhatsApp layer serves the WhatsApp adapters only.',
      from: { path: '^src/channels/(?!whatsapp)[^/]+/', pathNot: TESTS },
      to: { path: '^src/channels/whatsapp/' },
    },
    {
      name: 'directory-is-data',
      severity: 'error',
      comment: 'Country data does not depend on channels, HTTP or stores.',
      from: { path: '^src/directory/', pathNot: TESTS },
      to: { path: ['^src/channels/', '^src/http/', '^src/store/'] },
    },
    {
      name: 'concrete-stores-only-in-composition-root',
      severity: 'error',
      comment:
        'Only the composition root (src/app.ts, src/main.ts, src/chat.ts) and scripts pick a store implementation; everything else takes the Store port.',
      from: { pathNot: ['^src/(app|main|chat)[.]ts$', '^scripts/', '^src/store/', '^test/', TESTS] },
      to: { path: '^src/store/', pathNot: STORE_PORT },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles at run time (type-only imports vanish on compilation and may form cycles).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // Packages are seen (rules match them) but not cruised into.
    doNotFollow: { path: '(^|/)node_modules/' },
    // Type-only imports count too: a core file must not even name a channel's types.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
