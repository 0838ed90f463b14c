// Checks plain JSON values against the types a TypeScript file exports, through the TypeScript
// compiler's own checker (the widget's typescript): the tests hold what the core produces against
// what the widget declares. Objects must match exactly: a key the type lacks is an error too, so a
// field added to the core's JSON fails until the widget's type has it.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ts = createRequire(join(root, 'host-adapters/web/package.json'))('typescript');

// shapesOf('host-adapters/web/src/thread-types.ts').problems(value, 'ThreadView') → ['posts[0].x: …', …]
export function shapesOf(relativePath) {
  const file = join(root, relativePath);
  const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const exported = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(source))
    .map((symbol) => [symbol.name, checker.getDeclaredTypeOfSymbol(symbol)]));

  const describe = (type) => checker.typeToString(type);
  const show = (value) => (typeof value === 'bigint' ? `${value}n` : JSON.stringify(value));
  const isBoolean = (type) => (type.flags & ts.TypeFlags.BooleanLike) !== 0;

  function check(value, type, path, problems) {
    const where = path || '(root)';
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return problems;
    if (type.isUnion()) {
      // A union passes when one member does (boolean is true | false). Of object members, the
      // nearest one's problems say the most; of literals, the whole union.
      const each = type.types.map((member) => check(value, member, path, []));
      if (each.some((found) => found.length === 0)) return problems;
      if (type.types.every((member) => member.flags & ts.TypeFlags.Object)) {
        problems.push(...each.reduce((nearest, found) => (found.length < nearest.length ? found : nearest)));
      } else {
        problems.push(`${where}: ${show(value)} is not ${describe(type)}`);
      }
      return problems;
    }
    if (type.isStringLiteral() || type.isNumberLiteral()) {
      if (value !== type.value) problems.push(`${where}: ${show(value)} is not ${describe(type)}`);
      return problems;
    }
    if (flags & ts.TypeFlags.BooleanLiteral) {
      if (value !== (describe(type) === 'true')) problems.push(`${where}: ${show(value)} is not ${describe(type)}`);
      return problems;
    }
    const primitive = flags & ts.TypeFlags.String ? 'string' : flags & ts.TypeFlags.Number ? 'number'
      : flags & ts.TypeFlags.BigInt ? 'bigint' : isBoolean(type) ? 'boolean' : null;
    if (primitive) {
      if (typeof value !== primitive) problems.push(`${where}: ${show(value)} is not ${primitive}`);
      return problems;
    }
    if (checker.isArrayType(type)) {
      if (!Array.isArray(value)) problems.push(`${where}: ${show(value)} is not an array`);
      else value.forEach((item, i) => check(item, checker.getTypeArguments(type)[0], `${path}[${i}]`, problems));
      return problems;
    }
    if (flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${where}: ${show(value)} is not an object (${describe(type)})`);
        return problems;
      }
      const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
      const properties = new Map(checker.getPropertiesOfType(type).map((symbol) => [symbol.name, symbol]));
      for (const [key, symbol] of properties) {
        const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
        if (!(key in value)) {
          if (!optional) problems.push(`${path ? `${path}.` : ''}${key}: in ${describe(type)} but not in the value`);
          continue;
        }
        check(value[key], checker.getTypeOfSymbol(symbol), path ? `${path}.${key}` : key, problems);
      }
      for (const key of Object.keys(value)) {
        if (properties.has(key)) continue;
        if (index) check(value[key], index, path ? `${path}.${key}` : key, problems);
        else problems.push(`${path ? `${path}.` : ''}${key}: in the value but not in ${describe(type)}`);
      }
      return problems;
    }
    problems.push(`${where}: the checker does not know ${describe(type)}`);
    return problems;
  }

  return {
    names: [...exported.keys()],
    problems(value, typeName) {
      const type = exported.get(typeName);
      if (!type) throw new Error(`${relativePath} exports no type ${typeName}`);
      return check(value, type, '', []);
    },
  };
}
