// Feature boundaries, in the spirit of VolView's lint-enforced featureBoundaries: a module folder is entered only
// through its index, a pure folder imports nothing but itself and common/, and a package stays inside the one
// folder that owns it. Relative imports are resolved against the importing file, so '../viewer/x.js' from
// renderer/features/ (which has its own viewer/ folder) is told apart from renderer/viewer/x.js.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const rel = (abs) => path.relative(ROOT, abs).split(path.sep).join('/');
const inside = (file, folder) => file === folder || file.startsWith(`${folder}/`);
const isIndex = (target, folder) => /^index(\.(js|ts|tsx|mjs))?$/.test(target.slice(folder.length + 1));

/** @type {import('eslint').Rule.RuleModule} */
const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'module folders are imported through their index; pure folders stay pure; packages stay in their owner folder' },
    schema: [
      {
        type: 'object',
        properties: {
          modules: { type: 'array', items: { type: 'string' } },
          pure: { type: 'array', items: { type: 'string' } },
          pureMayImport: { type: 'array', items: { type: 'string' } },
          packages: { type: 'object', additionalProperties: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { modules = [], pure = [], pureMayImport = [], packages = {} } = context.options[0] ?? {};
    const file = rel(context.filename);
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (!source.startsWith('.')) {
        for (const [prefix, owner] of Object.entries(packages)) {
          if ((source === prefix || source.startsWith(`${prefix}/`)) && !inside(file, owner)) {
            context.report({ node, message: `'${source}' is used only inside ${owner}/; go through its index.` });
          }
        }
        const home = pure.find((p) => inside(file, p));
        if (home) context.report({ node, message: `${home}/ is pure: it imports only itself and ${pureMayImport.join(', ')}/ (not '${source}').` });
        return;
      }
      const target = rel(path.resolve(path.dirname(context.filename), source));
      for (const folder of modules) {
        if (inside(target, folder) && !inside(file, folder) && !isIndex(target, folder)) {
          context.report({ node, message: `Import ${folder} through its index (${folder}/index.ts), not '${source}'.` });
        }
      }
      const home = pure.find((p) => inside(file, p));
      if (home && !inside(target, home) && !pureMayImport.some((p) => inside(target, p))) {
        context.report({ node, message: `${home}/ is pure: it imports only itself and ${pureMayImport.join(', ')}/ (not '${source}').` });
      }
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
    };
  },
};

export default { rules: { boundaries } };
