import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The packages that run as (or ship) a service and import @alertgw/shared. */
export const SERVICES = ['ingest', 'notifier-email', 'notifier-sms', 'notifier-chat', 'alertctl'] as const;

const ROOT = path.resolve(__dirname, '../..');
/** Where shared's sources live; files are named relative to it. */
export const SHARED_SRC = path.join(ROOT, 'packages/shared/src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Module specifiers a file imports or re-exports (static, dynamic and `import()` types). */
function specifiers(file: ts.SourceFile): ts.StringLiteral[] {
  const out: ts.StringLiteral[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) out.push(node.arguments[0] as ts.StringLiteral);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/**
 * For every TypeScript module under packages/shared/src, the services whose sources reach it:
 * each name a service imports from '@alertgw/shared' is followed through the index's re-exports
 * (the type checker resolves the aliases) to the file that declares it, and from there through
 * shared's own imports. Barrels (index.ts) are reached by no declaration and are left out.
 */
export function sharedUsage(): Map<string, Set<string>> {
  const serviceFiles = new Map(SERVICES.map((s) => [s, tsFiles(path.join(ROOT, 'packages', s, 'src'))]));
  const sharedFiles = tsFiles(SHARED_SRC);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    resolveJsonModule: true,
    noEmit: true,
    types: [],
    baseUrl: ROOT,
    paths: { '@alertgw/shared': ['packages/shared/src/index.ts'] },
  };
  const program = ts.createProgram([...sharedFiles, ...[...serviceFiles.values()].flat()], options);
  const checker = program.getTypeChecker();
  const resolve = (spec: string, from: string): string | undefined =>
    ts.resolveModuleName(spec, from, options, ts.sys).resolvedModule?.resolvedFileName;
  const inShared = (file: string | undefined): file is string => !!file && file.startsWith(SHARED_SRC + path.sep) && !file.endsWith('.d.ts');

  // shared's own import graph, so that a file used only by other shared files counts for their users.
  const edges = new Map<string, string[]>();
  for (const file of sharedFiles) {
    const source = program.getSourceFile(file)!;
    edges.set(file, specifiers(source).map((s) => resolve(s.text, file)).filter(inShared));
  }

  const usage = new Map<string, Set<string>>(sharedFiles.map((f) => [f, new Set<string>()]));
  for (const [service, files] of serviceFiles) {
    const reached = new Set<string>();
    const reach = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const next of edges.get(file) ?? []) reach(next);
    };
    for (const file of files) {
      const source = program.getSourceFile(file)!;
      for (const spec of specifiers(source)) {
        const target = resolve(spec.text, file);
        if (!inShared(target)) continue;
        if (!target.endsWith(`${path.sep}index.ts`)) {
          reach(target); // a deep import names its file
          continue;
        }
        for (const name of importedNames(spec)) {
          const symbol = checker.getSymbolAtLocation(name);
          const declared = symbol && (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
          for (const decl of declared?.declarations ?? []) {
            const declFile = decl.getSourceFile().fileName;
            if (inShared(declFile)) reach(declFile);
          }
        }
      }
    }
    for (const file of reached) usage.get(file)?.add(service);
  }
  return usage;
}

/** The identifiers of `import { a, b as c } from '…'` / `export { a } from '…'`; throws on `* as`. */
function importedNames(spec: ts.StringLiteral): ts.Node[] {
  const decl = spec.parent;
  if (ts.isImportDeclaration(decl)) {
    const bindings = decl.importClause?.namedBindings;
    if (!bindings) return [];
    if (ts.isNamespaceImport(bindings)) throw new Error(`${decl.getSourceFile().fileName}: import * from the shared index cannot be attributed; import by name`);
    return bindings.elements.map((e) => e.name);
  }
  if (ts.isExportDeclaration(decl) && decl.exportClause && ts.isNamedExports(decl.exportClause)) {
    return decl.exportClause.elements.map((e) => e.name);
  }
  throw new Error(`${decl.getSourceFile().fileName}: '${spec.text}' imported in a form the check cannot attribute (export *, require, import())`);
}
