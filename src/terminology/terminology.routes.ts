import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { expand, inputFromParameters, inputFromQuery, lookup, terminologyCapabilities, validateCode, validateCodeInSystem, type OperationInput } from './terminology.operations.ts';
import type { Terminology } from './terminology.service.ts';
import { queryPairs } from '../fhir/rest.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The operations this plugin serves, for the CapabilityStatement (declare exactly what exists). */
export const TERMINOLOGY_OPERATIONS: Record<string, { name: string; definition: string; documentation: string }[]> = {
  CodeSystem: [
    {
      name: 'lookup',
      definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
      documentation: 'GET ou POST, niveau type ou instance (CodeSystem/[id]/$lookup), paramètres system + code (ou coding) ; systèmes NOS et codes locaux du guide',
    },
    {
      name: 'validate-code',
      definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code',
      documentation: 'GET ou POST, niveau type ou instance (CodeSystem/[id]/$validate-code), paramètres url + code/display/version, coding ou codeableConcept',
    },
  ],
  ValueSet: [
    {
      name: 'expand',
      definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
      documentation: 'GET ou POST, niveau type ou instance (ValueSet/[id]/$expand), paramètres url ou valueSet (POST), filter (sans accents ni casse), count (1000 au plus), offset',
    },
    {
      name: 'validate-code',
      definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code',
      documentation: 'GET ou POST, niveau type ou instance (ValueSet/[id]/$validate-code), paramètres url + code/system/display, coding ou codeableConcept',
    },
  ],
};

/** Query pairs of the URL plus, for a form POST, those of the body; a Parameters body for a JSON POST. */
function input(req: FastifyRequest): OperationInput {
  const pairs = queryPairs(req.url);
  if (req.method === 'POST') {
    if (typeof req.body === 'string') pairs.push(...new URLSearchParams(req.body));
    else if (req.body !== undefined) return [...inputFromQuery(pairs), ...inputFromParameters(req.body)];
  }
  return inputFromQuery(pairs);
}

/** The builder of GET /fhir/metadata?mode=terminology, which server/app.ts finds under this decorator name. */
export const TERMINOLOGY_CAPABILITIES = 'terminologyCapabilities';
export type TerminologyCapabilitiesBuilder = (opts: { baseUrl: string; version: string }) => { resourceType: string; [key: string]: unknown };

/**
 * Fastify plugin: CodeSystem/$lookup, ValueSet/$expand, ValueSet/$validate-code under /fhir, at type level and at
 * instance level (`ValueSet/JDV_J41-TypeHoraire-ROR/$expand`: the id is the name of the value set or the last
 * segment of its URL); decorates the app with the TerminologyCapabilities builder.
 */
export function terminologyRoutes(terminology: Terminology) {
  return (app: FastifyInstance): void => {
    const send = (reply: FastifyReply, body: unknown) => reply.code(200).type(FHIR_JSON).send(JSON.stringify(body));
    const routes: [string, (i: OperationInput, id?: string) => unknown][] = [
      ['CodeSystem/$lookup', (i, id) => lookup(terminology, i, id)],
      ['CodeSystem/$validate-code', (i, id) => validateCodeInSystem(terminology, i, id)],
      ['ValueSet/$expand', (i, id) => expand(terminology, i, new Date(), id)],
      ['ValueSet/$validate-code', (i, id) => validateCode(terminology, i, id)],
    ];
    for (const [path, handler] of routes) {
      const [type, op] = path.split('/') as [string, string];
      app.get(`/fhir/${path}`, async (req, reply) => send(reply, handler(input(req))));
      app.post(`/fhir/${path}`, async (req, reply) => send(reply, handler(input(req))));
      app.get<{ Params: { id: string } }>(`/fhir/${type}/:id/${op}`, async (req, reply) => send(reply, handler(input(req), req.params.id)));
      app.post<{ Params: { id: string } }>(`/fhir/${type}/:id/${op}`, async (req, reply) => send(reply, handler(input(req), req.params.id)));
    }
    const builder: TerminologyCapabilitiesBuilder = (opts) => terminologyCapabilities(terminology, opts);
    app.decorate(TERMINOLOGY_CAPABILITIES, builder);
  };
}
