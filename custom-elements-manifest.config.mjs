// The embed elements' custom-elements.json (served at /widget/custom-elements.json), from their JSDoc.
// `npm run build` runs it between the two vite builds, so the loader build precompresses it too.
export default {
  globs: ['widget/sm-messages.ts', 'widget/sm-questionnaire.ts', 'widget/sm-booking.ts', 'widget/frame-host.ts'],
  outdir: 'dist/widget',
  // Otherwise the analyzer adds a "customElements" field to package.json.
  packagejson: false,
  plugins: [
    {
      // The manifest is the public contract: no private (#) or protected members, only declared events.
      name: 'sm-public-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          // Only what a module exports (the analyzer also lists a method's local variables).
          mod.declarations = (mod.declarations ?? []).filter((decl) => (mod.exports ?? []).some((e) => e.declaration?.name === decl.name));
          for (const decl of mod.declarations) {
            if (decl.members) decl.members = decl.members.filter((m) => !m.name.startsWith('#') && m.privacy !== 'private' && m.privacy !== 'protected');
            // The events the JSDoc declares (@fires); not the analyzer's guesses from dispatchEvent(new CustomEvent(variable)).
            if (decl.events) decl.events = decl.events.filter((e) => e.name && e.description);
          }
        }
      },
    },
  ],
};
