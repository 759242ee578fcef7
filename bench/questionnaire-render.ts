/**
 * First render of a questionnaire in Chromium: our <sm-questionnaire-view> against SurveyJS
 * (survey-core + survey-js-ui, MIT) rendering the same form (PHQ-9 and 200 questions), each timed
 * in the page with performance marks, in fresh pages, alternating; and the JS each needs, gzipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import { chromium } from 'playwright-core';
import { libraryResource } from '../server/domain/questionnaire-library.js';
import type { PatientAssignmentDetail } from '../shared/questionnaires.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A production bundle of a bench page script (minified, one classic script). */
async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'render', entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** 200 questions: integers, short texts and four-option choices, in turn. */
function longQuestionnaire(): Questionnaire {
  const item: QuestionnaireItem[] = Array.from({ length: 200 }, (_, i) => {
    const linkId = `q${i + 1}`;
    if (i % 4 === 0) return { linkId, type: 'integer', text: `Question ${i + 1}: how many?`, required: true };
    if (i % 4 === 1) return { linkId, type: 'string', text: `Question ${i + 1}: in a few words`, maxLength: 200 };
    return { linkId, type: 'choice', text: `Question ${i + 1}: how often?`, required: true, answerOption: ['Never', 'Sometimes', 'Often', 'Always'].map((d, n) => ({ valueCoding: { system: 'http://example.org/often', code: String(n), display: d } })) };
  });
  return { resourceType: 'Questionnaire', status: 'active', title: 'Two hundred questions', item };
}

/** The same form for SurveyJS: one page, each question as SurveyJS writes it; calculated items left out and conditional ones hidden, as in our view. */
function surveyJson(q: Questionnaire): { title: string; elements: Array<Record<string, unknown>> } {
  const elements = (q.item ?? []).flatMap((i): Array<Record<string, unknown>> => {
    if (i.readOnly) return [];
    // A conditional question starts hidden in both (nothing is answered yet).
    if (i.enableWhen?.length) return [{ type: 'text', name: i.linkId, title: i.text, visible: false }];
    if (i.type === 'display') return [{ type: 'html', name: i.linkId, html: i.text ?? '' }];
    if (i.type === 'choice') return [{ type: 'radiogroup', name: i.linkId, title: i.text, isRequired: i.required === true, choices: (i.answerOption ?? []).map((o) => ({ value: o.valueCoding!.code, text: o.valueCoding!.display })) }];
    if (i.type === 'integer') return [{ type: 'text', inputType: 'number', name: i.linkId, title: i.text, isRequired: i.required === true }];
    return [{ type: 'text', name: i.linkId, title: i.text, isRequired: i.required === true, ...(i.maxLength ? { maxLength: i.maxLength } : {}) }];
  });
  return { title: q.title ?? '', elements };
}

function detailOf(q: Questionnaire): PatientAssignmentDetail {
  return { assignment: { id: 'bench', title: q.title ?? '', titleFr: q.title ?? '', status: 'assigned', overdue: false, dueDate: null, createdAt: new Date().toISOString(), submittedAt: null }, questionnaire: q, response: null };
}

/** Prints the render comparison; `oursGzip` is the questionnaire frame's JS (sizes() in run.ts). */
export async function questionnaireRender(oursGzip: number | null): Promise<void> {
  // Read from the packages' folders: their `exports` do not list these files.
  const pkg = (file: string) => path.resolve(import.meta.dirname, '..', 'node_modules', file);
  const version = (JSON.parse(fs.readFileSync(pkg('survey-core/package.json'), 'utf8')) as { version: string }).version;
  const css = fs.readFileSync(pkg('survey-core/survey-core.min.css'), 'utf8');
  const [ours, survey] = await Promise.all([bundle('ours.ts'), bundle('surveyjs.ts')]);
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
  const runs = 7;
  console.log(`\nQuestionnaire first render in Chromium, our <sm-questionnaire-view> vs SurveyJS ${version} (survey-core + survey-js-ui, default theme), same form, median of ${runs} fresh pages each, alternating (goal: ratio ≤ 1/4):`);
  try {
    for (const [label, q, questions] of [['PHQ-9 (9 questions and its intro)', libraryResource('phq-9')!, 9], ['200 questions', longQuestionnaire(), 200]] as const) {
      const times = { ours: [] as number[], survey: [] as number[] };
      const counts = { ours: 0, survey: 0 };
      for (let r = 0; r < runs; r++) {
        for (const which of ['ours', 'survey'] as const) {
          const page = await browser.newPage();
          await page.setContent(`<!doctype html><html lang="en"><head><meta charset="utf-8">${which === 'survey' ? `<style>${css}</style>` : ''}</head><body></body></html>`);
          await page.addScriptTag({ content: which === 'ours' ? ours : survey });
          const result = await page.evaluate((form) => window.renderForm(form), which === 'ours' ? (detailOf(q) as unknown) : surveyJson(q));
          times[which].push(result.ms);
          counts[which] = result.questions;
          await page.close();
        }
      }
      // SurveyJS wraps the intro text as a question too: it has one more element for PHQ-9.
      if (counts.ours !== questions || counts.survey < questions) throw new Error(`${label}: rendered ${counts.ours} (ours) and ${counts.survey} (SurveyJS) of ${questions} questions`);
      const [o, s] = [median(times.ours), median(times.survey)];
      console.log(`  ${label.padEnd(36)} ours ${o.toFixed(1)} ms   SurveyJS ${s.toFixed(1)} ms   ratio ${(o / s).toFixed(2)} ${o / s <= 0.25 ? '(meets ≤ 0.25)' : '(goal ≤ 0.25: not met)'}`);
    }
  } finally {
    await browser.close();
  }
  const surveyGzip = gzipSync(survey, { level: 9 }).length;
  const files = ['survey-core/survey.core.min.js', 'survey-js-ui/survey-js-ui.min.js'].map((f) => fs.readFileSync(pkg(f)));
  const published = files.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  console.log(`  JS, gzip -9: our questionnaire frame ${oursGzip === null ? '(see sizes)' : kb(oursGzip)} vs SurveyJS ${kb(surveyGzip)} (the bench bundle, tree-shaken; its published survey.core.min.js + survey-js-ui.min.js: ${kb(published)})${oursGzip === null ? '' : `   ratio ${(oursGzip / surveyGzip).toFixed(2)} (budget ≤ 0.20)`}`);
}
