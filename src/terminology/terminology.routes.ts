import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { expand, inputFromParameters, inputFromQuery, lookup, validateCode, type OperationInput } from './terminology.operations.ts';
import type { Terminology } from './terminology.service.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The operations this plugin serves, for the CapabilityStatement (declare exactly what exists). */
export const TERMINOLOGY_OPERATIONS: Record<string, { name: string; definition: string; documentation: string }[]> = {
  CodeSystem: [
    {
      name: 'lookup',
      definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
      documentation: 'GET ou POST, paramètres system + code (ou coding) ; systèmes NOS chargés par le serveur',
    },
  ],
  ValueSet: [
    {
      name: 'expand',
      definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
      documentation: 'GET ou POST, paramètres url, filter (sans accents ni casse), count (1000 au plus), offset',
    },
    {
      name: 'validate-code',
      definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code',
      documentation: 'GET ou POST, paramètres url + code/system/display, coding ou codeableConcept',
    },
  ],
};

/** Query pairs of the URL plus, for a form POST, those of the body; a Parameters body for a JSON POST. */
function input(req: FastifyRequest): OperationInput {
  const q = req.url.indexOf('?');
  const pairs: [string, string][] = q < 0 ? [] : [...new URLSearchParams(req.url.slice(q + 1))];
  if (req.method === 'POST') {
    if (typeof req.body === 'string') pairs.push(...new URLSearchParams(req.body));
    else if (req.body !== undefined) return [...inputFromQuery(pairs), ...inputFromParameters(req.body)];
  }
  return inputFromQuery(pairs);
}

/** Fastify plugin: CodeSystem/$lookup, ValueSet/$expand, ValueSet/$validate-code under /fhir. */
export function terminologyRoutes(terminology: Terminology) {
  return (app: FastifyInstance): void => {
    const send = (reply: FastifyReply, body: unknown) => reply.code(200).type(FHIR_JSON).send(JSON.stringify(body));
    const routes: [string, (i: OperationInput) => unknown][] = [
      ['/fhir/CodeSystem/$lookup', (i) => lookup(terminology, i)],
      ['/fhir/ValueSet/$expand', (i) => expand(terminology, i)],
      ['/fhir/ValueSet/$validate-code', (i) => validateCode(terminology, i)],
    ];
    for (const [url, handler] of routes) {
      app.get(url, async (req, reply) => send(reply, handler(input(req))));
      app.post(url, async (req, reply) => send(reply, handler(input(req))));
    }
  };
}
