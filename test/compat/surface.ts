// Compares meshsub's public surface with @libp2p/gossipsub 17's published declarations in one
// ts.Program: every export of each entry, each public GossipSub member, option and event.

import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ts from 'typescript'

const ROOT = resolve(import.meta.dirname, '../..')
const REF_PKG = join(ROOT, 'node_modules/@libp2p/gossipsub')

/** entry name as the README lists it: '.' → 'index', './score' → 'score' */
function entryName (key: string): string { return key === '.' ? 'index' : key.slice(2) }

function typesOf (pkgDir: string, map: Record<string, { types?: string }>, toSource: (p: string) => string): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, cond] of Object.entries(map)) {
    if (cond.types !== undefined) { out.set(entryName(key), join(pkgDir, toSource(cond.types))) }
  }
  return out
}

/**
 * TypeScript enums are nominal: only an enum's own members are assignable to it, so no other
 * package can match one. meshsub exports each as a const object with the same member values and a
 * type of those values (what erasable TypeScript allows), which is what code written against the
 * enum needs after the import changes. The comparison therefore reads each reference enum in that
 * form: `declare const E: { readonly A: 'a' }`, `type E = 'a'`, and `E.A` as a type.
 */
export function erasedEnums (dts: string): string {
  return dts.replace(/export declare enum (\w+) \{([\s\S]*?)\n\}/g, (_all, name: string, body: string) => {
    const members = [...body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').matchAll(/(\w+)\s*=\s*("[^"]*"|-?\d+)/g)].map(m => [m[1], m[2]])
    return `export declare const ${name}: { ${members.map(([k, v]) => `readonly ${k}: ${v}`).join('; ')} };\n` +
      `export type ${name} = ${members.map(([, v]) => v).join(' | ')};\n` +
      `export declare namespace ${name} { ${members.map(([k, v]) => `type ${k} = ${v};`).join(' ')} }`
  })
}

/** A virtual file instantiating the generic types, so they can be compared. */
const PROBE = join(ROOT, 'test/compat/probe.virtual.ts')

/** name → type parameter count of the reference's exported generic interfaces and type aliases */
function genericArity (pkg: string): Map<string, number> {
  const out = new Map<string, number>()
  const dir = join(pkg, 'dist/src')
  for (const f of ts.sys.readDirectory(dir, ['.d.ts'])) {
    const sf = ts.createSourceFile(f, ts.sys.readFile(f) ?? '', ts.ScriptTarget.Latest)
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.typeParameters !== undefined &&
        st.modifiers?.some(m => m.kind === ts.SyntaxKind.ExportKeyword) === true) {
        out.set(st.name.text, st.typeParameters.length)
      }
    }
  }
  return out
}

export interface SurfaceReport {
  /** keys of every gap found: `<entry>/<Name>`, `GossipSub.<member>`, `GossipsubOpts.<option>`, `GossipSubEvents.<event>` */
  gaps: Map<string, string>
  /** how many names were compared, by kind */
  counts: { exports: number, members: number, options: number, events: number }
}

export function compareSurface (): SurfaceReport {
  const refExports = JSON.parse(readFileSync(join(REF_PKG, 'package.json'), 'utf8')).exports
  const ourExports = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports
  const ref = typesOf(REF_PKG, refExports, p => p)
  // our export map names built files; the program reads their sources
  const ours = typesOf(ROOT, ourExports, p => p.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts'))
  const refClass = join(REF_PKG, 'dist/src/gossipsub.d.ts')
  const ourClass = join(ROOT, 'src/gossipsub.ts')

  const cfg = ts.readConfigFile(join(ROOT, 'tsconfig.json'), f => ts.sys.readFile(f))
  const { options } = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT)
  const generics = genericArity(REF_PKG)
  const probe: string[] = []
  for (const [entry, file] of ref) {
    const mine = ours.get(entry)
    probe.push(`import type * as R_${entry} from '${file.replace(/\.d\.ts$/, '.js')}'`)
    if (mine !== undefined) { probe.push(`import type * as M_${entry} from '${mine}'`) }
    for (const [name, n] of generics) {
      const args = Array(n).fill('any').join(', ')
      probe.push(`export type R_${entry}_${name} = R_${entry}.${name}<${args}>`)
      if (mine !== undefined) { probe.push(`export type M_${entry}_${name} = M_${entry}.${name}<${args}>`) }
    }
  }
  const opts = { ...options, noEmit: true }
  const host = ts.createCompilerHost(opts)
  const read = host.readFile.bind(host)
  // the reference's declarations with enums as const objects + literal types (see erasedEnums)
  const exists = host.fileExists.bind(host)
  host.fileExists = (f) => f === PROBE || exists(f)
  host.readFile = (f) => {
    if (f === PROBE) { return probe.join('\n') }
    const text = read(f)
    return text !== undefined && f.startsWith(REF_PKG) && f.endsWith('.d.ts') ? erasedEnums(text) : text
  }
  host.getSourceFile = (f, lang) => {
    const text = host.readFile(f)
    return text === undefined ? undefined : ts.createSourceFile(f, text, lang)
  }
  const program = ts.createProgram([...ref.values(), ...[...ours.values()].filter(f => ts.sys.fileExists(f)), refClass, ourClass, PROBE], opts, host)
  const checker = program.getTypeChecker()
  const gaps = new Map<string, string>()
  const counts = { exports: 0, members: 0, options: 0, events: 0 }

  const moduleExports = (file: string): Map<string, ts.Symbol> => {
    const sf = program.getSourceFile(file)
    const mod = sf === undefined ? undefined : checker.getSymbolAtLocation(sf)
    return new Map((mod === undefined ? [] : checker.getExportsOfModule(mod)).map(s => [s.name, s]))
  }
  const resolved = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(s) : s
  const show = (t: ts.Type): string => checker.typeToString(t).slice(0, 120)
  const assignable = (a: ts.Type, b: ts.Type): boolean => checker.isTypeAssignableTo(a, b)
  const related = (a: ts.Type, b: ts.Type): boolean => assignable(a, b) || assignable(b, a)

  /** property names of `theirs` missing from `mine` (for object types) */
  const missingProps = (mine: ts.Type, theirs: ts.Type): string[] =>
    theirs.getProperties().map(p => p.name).filter(n => mine.getProperty(n) === undefined && !n.startsWith('__@'))

  const probeExports = moduleExports(PROBE)
  const probeType = (name: string): ts.Type => checker.getDeclaredTypeOfSymbol(resolved(probeExports.get(name) as ts.Symbol))

  const compareExport = (key: string, theirs: ts.Symbol, mine: ts.Symbol | undefined): void => {
    counts.exports++
    if (mine === undefined) { gaps.set(key, 'missing'); return }
    const t = resolved(theirs)
    const m = resolved(mine)
    if ((t.flags & ts.SymbolFlags.Enum) !== 0) {
      // an enum: ours is a const object with the same member values, and a type taking them all
      const tv = checker.getTypeOfSymbol(t)
      const mv = checker.getTypeOfSymbol(m)
      for (const member of tv.getProperties()) {
        const ours = mv.getProperty(member.name)
        const theirValue = checker.getTypeOfSymbol(member)
        if (ours === undefined) { gaps.set(key, `no member ${member.name}`); return }
        const ourValue = checker.getTypeOfSymbol(ours)
        if (!(theirValue.isLiteral() && ourValue.isLiteral() && theirValue.value === ourValue.value)) {
          gaps.set(key, `member ${member.name}: ${show(ourValue)} is not ${show(theirValue)}`)
          return
        }
      }
      if ((m.flags & ts.SymbolFlags.Type) === 0 || !assignable(checker.getDeclaredTypeOfSymbol(t), checker.getDeclaredTypeOfSymbol(m))) {
        gaps.set(key, 'no type accepting every member')
      }
      return
    }
    if ((t.flags & ts.SymbolFlags.Value) !== 0) {
      // a value we hand out: ours must be usable where theirs was
      if ((m.flags & ts.SymbolFlags.Value) === 0) { gaps.set(key, 'not a value'); return }
      const [tv, mv] = [checker.getTypeOfSymbol(t), checker.getTypeOfSymbol(m)]
      if (!assignable(mv, tv)) { gaps.set(key, `${show(mv)} is not assignable to ${show(tv)}`); return }
    }
    if ((t.flags & ts.SymbolFlags.Type) !== 0 && (t.flags & ts.SymbolFlags.Class) === 0) {
      if ((m.flags & ts.SymbolFlags.Type) === 0) { gaps.set(key, 'not a type'); return }
      const entry = key.slice(0, key.indexOf('/'))
      // generic types are compared instantiated (with any), through the probe's aliases
      const [tt, mt] = generics.has(theirs.name)
        ? [probeType(`R_${entry}_${theirs.name}`), probeType(`M_${entry}_${theirs.name}`)]
        : [checker.getDeclaredTypeOfSymbol(t), checker.getDeclaredTypeOfSymbol(m)]
      const missing = missingProps(mt, tt)
      if (missing.length > 0) { gaps.set(key, `missing ${missing.join(', ')}`); return }
      if (!related(mt, tt)) { gaps.set(key, `${show(mt)} and ${show(tt)} are unrelated`) }
    }
  }

  for (const [entry, file] of ref) {
    const mine = ours.has(entry) ? moduleExports(ours.get(entry) ?? '') : new Map<string, ts.Symbol>()
    for (const [name, sym] of moduleExports(file)) { compareExport(`${entry}/${name}`, sym, mine.get(name)) }
  }

  compareMembers()
  compareOptionsAndEvents()
  return { gaps, counts }

  function compareMembers (): void {
    const classType = (file: string): ts.Type => {
      const sym = moduleExports(file).get('GossipSub')
      if (sym === undefined) { throw new Error(`no GossipSub class in ${file}`) }
      return checker.getDeclaredTypeOfSymbol(resolved(sym))
    }
    const isPublic = (p: ts.Symbol): boolean => (p.declarations ?? []).every(d =>
      (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0 && !(ts.isPropertyDeclaration(d) && ts.isPrivateIdentifier(d.name)))
    const theirClass = classType(refClass)
    const ourClassType = classType(ourClass)
    const refIndex = moduleExports(ref.get('index') ?? '')
    const theirIface = checker.getDeclaredTypeOfSymbol(resolved(refIndex.get('GossipSub') as ts.Symbol))
    // the members of its GossipSub interface, and the public ones of the class behind it
    const members = new Map<string, ts.Symbol>()
    for (const p of [...theirIface.getProperties(), ...theirClass.getProperties()]) {
      if (isPublic(p) && !p.name.startsWith('__@') && !members.has(p.name)) { members.set(p.name, p) }
    }
    for (const [name, p] of members) {
      counts.members++
      const mine = ourClassType.getProperty(name)
      if (mine === undefined || !isPublic(mine)) { gaps.set(`GossipSub.${name}`, 'missing'); continue }
      const [tt, mt] = [checker.getTypeOfSymbol(p), checker.getTypeOfSymbol(mine)]
      if (!assignable(mt, tt)) { gaps.set(`GossipSub.${name}`, `${show(mt)} is not assignable to ${show(tt)}`) }
    }
  }

  function compareOptionsAndEvents (): void {
    const refIndex = moduleExports(ref.get('index') ?? '')
    const ourIndex = moduleExports(ours.get('index') ?? '')
    const declared = (exports: Map<string, ts.Symbol>, name: string): ts.Type => checker.getDeclaredTypeOfSymbol(resolved(exports.get(name) as ts.Symbol))
    const theirOpts = declared(refIndex, 'GossipsubOpts')
    const ourOpts = declared(ourIndex, 'GossipsubOpts')
    for (const p of theirOpts.getProperties()) {
      counts.options++
      const mine = ourOpts.getProperty(p.name)
      if (mine === undefined) { gaps.set(`GossipsubOpts.${p.name}`, 'missing'); continue }
      // an app's value for the option must be accepted by ours
      const [tt, mt] = [checker.getNonNullableType(checker.getTypeOfSymbol(p)), checker.getTypeOfSymbol(mine)]
      if (!assignable(tt, mt)) { gaps.set(`GossipsubOpts.${p.name}`, `${show(tt)} is not accepted by ${show(mt)}`) }
    }
    const theirEvents = declared(refIndex, 'GossipSubEvents')
    const ourEvents = declared(ourIndex, 'GossipSubEvents')
    for (const p of theirEvents.getProperties()) {
      counts.events++
      const mine = ourEvents.getProperty(p.name)
      if (mine === undefined) { gaps.set(`GossipSubEvents.${p.name}`, 'missing'); continue }
      // event details we hand out must be usable where the reference's were
      const [tt, mt] = [checker.getTypeOfSymbol(p), checker.getTypeOfSymbol(mine)]
      if (!assignable(mt, tt)) { gaps.set(`GossipSubEvents.${p.name}`, `${show(mt)} is not assignable to ${show(tt)}`) }
    }
  }
}
