// Validates the documents Kizuna publishes with the reference validators (no re-implementation):
//   node validate.mjs csaf <file|dir>...      CSAF 2.0: the JSON schema in ../shared/data/csaf (Ajv, 2020-12)
//                                             and all mandatory tests (6.1.x) of @secvisogram/csaf-validator-lib
//                                             with the library's own schema test, after checking that the
//                                             library's schema is the same as the shared one.
//   node validate.mjs cve5 <file|dir>...      CVE JSON 5: ../shared/data/cve5/CVE_Record_Format_bundled.json
//                                             (Ajv draft-07 + ajv-formats).
//   node validate.mjs provider <file|dir>...  CSAF provider-metadata.json against the provider schema.
//   node validate.mjs selftest                the validators accept the shared examples and reject broken
//                                             copies of them (so a pass above means something).
// Exit 0 when every file is valid, 1 otherwise (each error printed with its JSON path), 2 on usage errors.
// Shared data: $KIZUNA_SHARED_DIR, else ../../../shared relative to this script.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import Ajv2020 from 'ajv/dist/2020.js'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import libSchema from '@secvisogram/csaf-validator-lib/lib/schemaTests/csaf_2_0/schema.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const shared = process.env.KIZUNA_SHARED_DIR || path.resolve(here, '../../../shared')
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'))

function csafAjv() {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  const first = path.join(shared, 'data/csaf/schema/referenced_schema/first')
  for (const v of ['2.0', '3.0', '3.1']) {
    const schema = readJson(path.join(first, `cvss-v${v}.json`))
    // The files carry "?20211103"-style ids while the CSAF schema refers to the plain URL, and declare draft-04
    // or draft-07, which Ajv2020 does not load; their keywords mean the same in 2020-12 (as the library does).
    delete schema.$id
    delete schema.$schema
    delete schema.id // draft-04 spelling of $id (cvss-v2.0)
    ajv.addSchema(schema, `https://www.first.org/cvss/cvss-v${v}.json`)
  }
  const dir = path.join(shared, 'data/csaf/schema/json_schema')
  ajv.addSchema(readJson(path.join(dir, 'csaf_json_schema.json')))
  ajv.addSchema(readJson(path.join(dir, 'provider_json_schema.json')))
  return ajv
}

let ajv2020
const csafSchemaId = 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json'
const providerSchemaId = 'https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json'

function formatErrors(errors) {
  return (errors || []).map((e) => `  ${e.instancePath || '/'}: ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
}

// The library compiles its own copy of the CSAF 2.0 schema. Both copies must agree on everything that
// validates: annotations (title, description) may differ between OASIS revisions; the only validating
// differences allowed are the two product_identification_helper patterns that the CSAF 2.0 errata rewrote
// (cpe, purl: Kizuna emits neither). Documents are validated against both copies anyway.
const allowedSchemaDifferences = new Set([
  '/$defs/full_product_name_t/properties/product_identification_helper/properties/cpe/pattern',
  '/$defs/full_product_name_t/properties/product_identification_helper/properties/purl/pattern',
])
function schemaDifferences(a, b, at, out) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || a === null || b === null) {
    if (a !== b) out.push(at)
    return
  }
  if (typeof a !== 'object') {
    if (a !== b) out.push(at)
    return
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const isAnnotation = (key === 'title' || key === 'description') && typeof (a[key] ?? b[key]) === 'string'
    if (!isAnnotation) schemaDifferences(a[key], b[key], `${at}/${key}`, out)
  }
}

function checkSameSchema() {
  const sharedSchema = readJson(path.join(shared, 'data/csaf/schema/json_schema/csaf_json_schema.json'))
  const differences = []
  schemaDifferences(JSON.parse(JSON.stringify(libSchema)), sharedSchema, '', differences)
  const unexpected = differences.filter((d) => !allowedSchemaDifferences.has(d))
  if (libSchema.$id !== sharedSchema.$id || unexpected.length) {
    return ['csaf-validator-lib validates with a CSAF schema that differs from ../shared/data/csaf/schema/json_schema/csaf_json_schema.json at:', ...unexpected]
  }
  return []
}

async function validateCsaf(doc) {
  const problems = []
  const validate = ajv2020.getSchema(csafSchemaId)
  if (!validate(doc)) problems.push('schema (shared):', ...formatErrors(validate.errors))
  // Loaded on first use: the mandatory tests take seconds to import and only the csaf mode needs them.
  const { default: validateStrict } = await import('@secvisogram/csaf-validator-lib/validateStrict.js')
  const mandatory = await import('@secvisogram/csaf-validator-lib/mandatoryTests.js')
  const { csaf_2_0 } = await import('@secvisogram/csaf-validator-lib/schemaTests.js')
  const result = await validateStrict([csaf_2_0, ...Object.values(mandatory)], doc)
  for (const test of result.tests) {
    if (!test.isValid || test.errors.length > 0) {
      problems.push(`${test.name}:`, ...formatErrors(test.errors))
    }
  }
  return problems
}

let cveValidate
function validateCve(doc) {
  if (!cveValidate) {
    const ajv = new Ajv({ strict: false, allErrors: true })
    addFormats(ajv)
    cveValidate = ajv.compile(readJson(path.join(shared, 'data/cve5/CVE_Record_Format_bundled.json')))
  }
  if (cveValidate(doc)) return []
  // The top-level oneOf also reports the "Rejected" branch for a PUBLISHED record: show only the errors of
  // the branch the record claims to be (see ../shared/data/cve5/README.md).
  const errors = cveValidate.errors.filter((e) => !e.schemaPath.includes('cveRecordRejected') && !e.instancePath.startsWith('/containers/cna/rejectedReasons'))
  return ['schema (CVE JSON 5):', ...formatErrors(errors.length ? errors : cveValidate.errors)]
}

function validateProvider(doc) {
  const validate = ajv2020.getSchema(providerSchemaId)
  return validate(doc) ? [] : ['schema (provider metadata):', ...formatErrors(validate.errors)]
}

function listFiles(args) {
  const files = []
  for (const arg of args) {
    if (fs.statSync(arg).isDirectory()) {
      for (const name of fs.readdirSync(arg, { recursive: true }).sort()) {
        if (String(name).endsWith('.json')) files.push(path.join(arg, String(name)))
      }
    } else {
      files.push(arg)
    }
  }
  return files
}

async function check(kind, doc) {
  if (kind === 'csaf') return validateCsaf(doc)
  if (kind === 'cve5') return validateCve(doc)
  return validateProvider(doc)
}

async function selftest() {
  const failures = []
  const examples = path.join(shared, 'data/csaf/examples')
  // The small BSI example keeps this quick; the larger ones pass as well (node validate.mjs csaf <examples dir>).
  for (const name of ['bsi-2022-0001.json']) {
    const doc = readJson(path.join(examples, name))
    const problems = await validateCsaf(doc)
    if (problems.length) failures.push(`${name} should be valid:`, ...problems)
    // Broken copies: a product id used but never defined (6.1.1) and a wrong CVSS score (6.1.9).
    const broken = structuredClone(doc)
    broken.vulnerabilities[0].product_status = { known_affected: ['CSAFPID-NOT-DEFINED'] }
    if ((await validateCsaf(broken)).length === 0) failures.push(`${name} with an undefined product id should fail`)
  }
  const minimal = readJson(path.join(examples, 'bsi-2022-0001.json'))
  delete minimal.document.tracking
  if ((await validateCsaf(minimal)).length === 0) failures.push('a document without tracking should fail')
  const provider = readJson(path.join(examples, 'provider-metadata-example.json'))
  if (validateProvider(provider).length) failures.push('provider-metadata-example.json should be valid', ...validateProvider(provider))
  if (validateProvider({ ...provider, role: 'csaf_something' }).length === 0) failures.push('a bad role should fail')
  const cve = readJson(path.join(shared, 'data/cve5/full-record-basic-example.json'))
  if (validateCve(cve).length) failures.push('full-record-basic-example.json should be valid', ...validateCve(cve))
  const badCve = structuredClone(cve)
  badCve.cveMetadata.cveId = 'CVE-26-1'
  if (validateCve(badCve).length === 0) failures.push('a bad cveId should fail')
  return failures
}

async function main() {
  const [kind, ...args] = process.argv.slice(2)
  if (!['csaf', 'cve5', 'provider', 'selftest'].includes(kind) || (kind !== 'selftest' && args.length === 0)) {
    console.error('usage: node validate.mjs csaf|cve5|provider <file|dir>... | selftest')
    return 2
  }
  ajv2020 = csafAjv()
  const schemaProblems = checkSameSchema()
  if (schemaProblems.length) {
    console.error(schemaProblems.join('\n'))
    return 1
  }
  if (kind === 'selftest') {
    const failures = await selftest()
    console.log(failures.length ? failures.join('\n') : 'selftest: validators accept the examples and reject broken copies')
    return failures.length ? 1 : 0
  }
  const files = listFiles(args)
  if (files.length === 0) {
    console.error(`no .json files in ${args.join(' ')}`)
    return 1
  }
  let bad = 0
  for (const file of files) {
    let problems
    try {
      problems = await check(kind, readJson(file))
    } catch (e) {
      problems = [`cannot read: ${e.message}`]
    }
    if (problems.length) {
      bad++
      console.log(`INVALID ${file}\n${problems.join('\n')}`)
    } else {
      console.log(`valid   ${file}`)
    }
  }
  console.log(`${files.length - bad}/${files.length} valid (${kind})`)
  return bad ? 1 : 0
}

process.exitCode = await main()
