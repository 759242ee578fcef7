import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QuestionnaireItem, QuestionnaireItemEnableWhen } from '@medplum/fhirtypes';
import { answerProblem, conditionHolds, enabledLinkIds, localized, missingRequired, pruneAnswers, type Answers } from '../../shared/questionnaire-logic.js';

const YES: Coding = { system: 'http://loinc.org', code: 'LA33-6' };
const NO: Coding = { system: 'http://loinc.org', code: 'LA32-8' };
type Coding = { system?: string; code: string };

/** [operator, the condition's value, the answers given, expected]: the R4 semantics, row by row. */
const TABLE: Array<[QuestionnaireItemEnableWhen['operator'], Partial<QuestionnaireItemEnableWhen>, Answers['q'] | undefined, boolean]> = [
  ['exists', { answerBoolean: true }, [{ valueString: 'x' }], true],
  ['exists', { answerBoolean: true }, undefined, false],
  ['exists', { answerBoolean: true }, [{ valueString: '' }], false],
  ['exists', { answerBoolean: false }, undefined, true],
  ['exists', { answerBoolean: false }, [{ valueInteger: 0 }], false],
  ['=', { answerBoolean: true }, [{ valueBoolean: true }], true],
  ['=', { answerBoolean: true }, [{ valueBoolean: false }], false],
  ['=', { answerBoolean: true }, undefined, false],
  ['=', { answerCoding: YES }, [{ valueCoding: YES }], true],
  ['=', { answerCoding: YES }, [{ valueCoding: { code: 'LA33-6' } }], true],
  ['=', { answerCoding: YES }, [{ valueCoding: { system: 'http://snomed.info/sct', code: 'LA33-6' } }], false],
  ['=', { answerCoding: YES }, [{ valueCoding: NO }, { valueCoding: YES }], true],
  ['=', { answerInteger: 3 }, [{ valueInteger: 3 }], true],
  ['=', { answerInteger: 3 }, [{ valueString: '3' }], false],
  ['=', { answerDecimal: 2.5 }, [{ valueDecimal: 2.5 }], true],
  ['=', { answerString: 'a' }, [{ valueString: 'a' }], true],
  ['=', { answerDate: '2024-01-02' }, [{ valueDate: '2024-01-02' }], true],
  ['!=', { answerCoding: YES }, [{ valueCoding: NO }], true],
  ['!=', { answerCoding: YES }, [{ valueCoding: YES }], false],
  ['!=', { answerCoding: YES }, undefined, false],
  ['!=', { answerBoolean: true }, [{ valueBoolean: false }], true],
  ['!=', { answerInteger: 1 }, [{ valueInteger: 1 }, { valueInteger: 2 }], true],
  ['>', { answerInteger: 5 }, [{ valueInteger: 6 }], true],
  ['>', { answerInteger: 5 }, [{ valueInteger: 5 }], false],
  ['>', { answerInteger: 5 }, undefined, false],
  ['>', { answerDecimal: 37.5 }, [{ valueDecimal: 38 }], true],
  ['>', { answerDate: '2024-01-01' }, [{ valueDate: '2024-02-01' }], true],
  ['>', { answerCoding: YES }, [{ valueCoding: YES }], false],
  ['<', { answerInteger: 5 }, [{ valueInteger: 4 }], true],
  ['<', { answerInteger: 5 }, [{ valueInteger: 5 }], false],
  ['<', { answerDate: '2024-01-01' }, [{ valueDate: '2023-12-31' }], true],
  ['>=', { answerInteger: 5 }, [{ valueInteger: 5 }], true],
  ['>=', { answerInteger: 5 }, [{ valueInteger: 4 }], false],
  ['<=', { answerInteger: 5 }, [{ valueInteger: 5 }], true],
  ['<=', { answerInteger: 5 }, [{ valueInteger: 6 }], false],
  ['<=', { answerBoolean: true }, [{ valueBoolean: true }], false],
];

describe('enableWhen (FHIR R4)', () => {
  for (const [operator, value, given, expected] of TABLE) {
    it(`${operator} ${JSON.stringify(value)} with ${JSON.stringify(given ?? 'no answer')} is ${expected}`, () => {
      const answers: Answers = given ? { q: given } : {};
      assert.equal(conditionHolds({ question: 'q', operator, ...value }, answers), expected);
    });
  }

  const items: QuestionnaireItem[] = [
    { linkId: 'smoke', type: 'boolean', text: 'Do you smoke?' },
    { linkId: 'age', type: 'integer', text: 'Age' },
    { linkId: 'packs', type: 'integer', text: 'Packs a day', required: true, enableWhen: [{ question: 'smoke', operator: '=', answerBoolean: true }] },
    {
      linkId: 'any', type: 'string', text: 'Either', enableBehavior: 'any',
      enableWhen: [{ question: 'smoke', operator: '=', answerBoolean: true }, { question: 'age', operator: '>=', answerInteger: 65 }],
    },
    {
      linkId: 'all', type: 'string', text: 'Both', enableBehavior: 'all',
      enableWhen: [{ question: 'smoke', operator: '=', answerBoolean: true }, { question: 'age', operator: '>=', answerInteger: 65 }],
    },
    { linkId: 'grp', type: 'group', text: 'More', enableWhen: [{ question: 'packs', operator: '>', answerInteger: 1 }], item: [{ linkId: 'years', type: 'integer', text: 'Years' }] },
  ];

  it('applies enableBehavior any and all', () => {
    assert.deepEqual([...enabledLinkIds(items, { smoke: [{ valueBoolean: false }], age: [{ valueInteger: 70 }] })].filter((id) => id === 'any' || id === 'all'), ['any']);
    assert.deepEqual([...enabledLinkIds(items, { smoke: [{ valueBoolean: true }], age: [{ valueInteger: 70 }] })].filter((id) => id === 'any' || id === 'all'), ['any', 'all']);
    assert.deepEqual([...enabledLinkIds(items, { smoke: [{ valueBoolean: false }], age: [{ valueInteger: 20 }] })].filter((id) => id === 'any' || id === 'all'), []);
  });

  it('treats the question of a disabled item as unanswered, and hides the items of a disabled group', () => {
    // "packs" is answered but disabled (no longer a smoker): the group that depends on it hides too.
    const answers: Answers = { smoke: [{ valueBoolean: false }], packs: [{ valueInteger: 3 }], years: [{ valueInteger: 10 }] };
    const enabled = enabledLinkIds(items, answers);
    assert.equal(enabled.has('packs'), false);
    assert.equal(enabled.has('grp'), false);
    assert.equal(enabled.has('years'), false);
    assert.deepEqual(pruneAnswers(items, answers), { smoke: [{ valueBoolean: false }] });
    assert.deepEqual(pruneAnswers(items, { ...answers, smoke: [{ valueBoolean: true }] }), { smoke: [{ valueBoolean: true }], packs: [{ valueInteger: 3 }], years: [{ valueInteger: 10 }] });
  });

  it('asks for required questions only while they are enabled', () => {
    assert.deepEqual(missingRequired(items, { smoke: [{ valueBoolean: true }] }), ['packs']);
    assert.deepEqual(missingRequired(items, { smoke: [{ valueBoolean: false }] }), []);
  });

  it('checks answer types and choice options', () => {
    const choice: QuestionnaireItem = { linkId: 'c', type: 'choice', answerOption: [{ valueCoding: YES }] };
    assert.equal(answerProblem(choice, { valueCoding: YES }), null);
    assert.equal(answerProblem(choice, { valueCoding: NO }), 'not_an_option');
    assert.equal(answerProblem({ linkId: 'i', type: 'integer' }, { valueInteger: 1.5 }), 'not_an_integer');
    assert.equal(answerProblem({ linkId: 'd', type: 'date' }, { valueDate: '2024-13-01' }), 'not_a_date');
    assert.equal(answerProblem({ linkId: 's', type: 'string', maxLength: 3 }, { valueString: 'abcd' }), 'too_long');
    assert.equal(answerProblem({ linkId: 's', type: 'string' }, { valueInteger: 1 }), 'wrong_type');
  });

  it('reads French from the FHIR translation extension, English otherwise', () => {
    const ext = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr-CA' }, { url: 'content', valueString: 'Bonjour' }] }] };
    assert.equal(localized('Hello', ext, 'fr'), 'Bonjour');
    assert.equal(localized('Hello', ext, 'en'), 'Hello');
    assert.equal(localized('Hello', undefined, 'fr'), 'Hello');
  });
});
