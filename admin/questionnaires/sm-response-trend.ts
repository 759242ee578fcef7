/**
 * @summary One patient's scores and numeric answers to one questionnaire over time: a line chart
 * (uPlot, fetched only when a trend is shown), a sentence per value for screen readers, and a table
 * of the same data behind a toggle. Each line has its own colour (at least 4.5:1 on white) and its own
 * dash pattern, so colour is never the only difference.
 * @fires sm-trend-close - the reader closed the trend.
 * @cssproperty --sm-trend-height - the chart's height (default 260px).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import { defineOnce } from '../../shared/define-once.js';
import { describeFailure } from '../../shared/error-text.js';
import { translate, type MessageKey } from '../../shared/i18n-all.js';
import type { Lang } from '../../shared/lang.js';
import type { ResponseSeries, Series } from '../../shared/questionnaire-responses.js';
import { adminStyles } from '../styles.js';
import type { ResponsesAdminApi } from './response-api.js';

/** Line colours, each at least 4.5:1 against white; paired with DASHES. */
const COLOURS = ['#0b5cad', '#b3261e', '#1b6e3a', '#6a3d9a', '#8a4b08', '#005f73'];
const DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [12, 6]];

const keyOf = (s: Series) => `${s.kind}:${s.linkId}`;
/** A UCUM code as people write it (mm[Hg] → mmHg). */
const unitText = (unit: string) => unit.replace(/[[\]]/g, '');

export class SmResponseTrend extends LitElement {
  static styles = [
    adminStyles,
    css`
      .chart {
        height: var(--sm-trend-height, 260px);
        width: 100%;
        margin: 0.5rem 0;
      }
      .chart:focus-visible {
        outline: 3px solid #0b5cad;
        outline-offset: 2px;
      }
      .uplot,
      .uplot * {
        box-sizing: border-box;
      }
      .u-wrap {
        position: relative;
        user-select: none;
      }
      .u-over,
      .u-under,
      .u-axis,
      .u-select,
      .u-cursor-x,
      .u-cursor-y,
      .u-cursor-pt {
        position: absolute;
      }
      .u-under {
        overflow: hidden;
      }
      .uplot canvas {
        display: block;
        position: relative;
        width: 100%;
        height: 100%;
      }
      .u-cursor-x,
      .u-cursor-y,
      .u-cursor-pt {
        left: 0;
        top: 0;
        pointer-events: none;
      }
      .u-hz .u-cursor-x {
        height: 100%;
        border-right: 1px dashed #52606d;
      }
      .u-hz .u-cursor-y {
        width: 100%;
        border-bottom: 1px dashed #52606d;
      }
      .u-cursor-pt {
        border-radius: 50%;
        border: 0 solid;
      }
      .u-off {
        display: none;
      }
      fieldset {
        border: 1px solid #c5ced6;
        border-radius: 6px;
      }
      .key {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th,
      td {
        text-align: left;
        padding: 0.3rem 0.5rem;
        border-bottom: 1px solid #c5ced6;
      }
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  @property({ attribute: false }) api!: ResponsesAdminApi;
  @property() lang: Lang = 'en';
  @property({ attribute: 'patient-id' }) patientId = '';
  @property({ attribute: 'questionnaire-id' }) questionnaireId = '';

  @state() private data: ResponseSeries | null = null;
  @state() private error: string | null = null;
  @state() private chosen: string[] = [];
  @state() private showTable = false;
  @state() private chartFailed = false;
  private chart: uPlot | null = null;
  /** Which draw is the latest (a draw waits for the library; an older one must not add a second chart). */
  private drawing = 0;
  private resize: ResizeObserver | null = null;

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('patientId') || changed.has('questionnaireId')) && this.patientId && this.questionnaireId) void this.load();
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('data') || changed.has('chosen') || changed.has('lang')) void this.draw();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.chart?.destroy();
    this.chart = null;
  }

  private async load() {
    this.data = null;
    this.error = null;
    try {
      const data = await this.api.series({ patientId: this.patientId, questionnaireId: this.questionnaireId });
      // First shown: the scores, or else the answers sharing the first one's unit (systolic with diastolic).
      const first = data.series[0];
      this.chosen = first ? data.series.filter((s) => s.kind === first.kind && s.unit === first.unit).map(keyOf) : [];
      this.data = data;
    } catch (err) {
      this.error = describeFailure(this.lang, err);
    }
    // A new view: focus its heading (or the refusal), so keyboard and screen-reader users land on it.
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h3, [role="alert"]')?.focus();
  }

  private label(s: Series) {
    const name = this.lang === 'fr' ? s.fr : s.en;
    return s.unit ? `${name} (${unitText(s.unit)})` : name;
  }

  private get shown(): Series[] {
    return (this.data?.series ?? []).filter((s) => this.chosen.includes(keyOf(s)));
  }

  /** Every instant of the shown series, oldest first, with each series' value then (null: none). */
  private get rows(): Array<{ at: string; values: Array<number | null> }> {
    const shown = this.shown;
    const instants = [...new Set(shown.flatMap((s) => s.points.map((p) => p.at)))].sort();
    return instants.map((at) => ({ at, values: shown.map((s) => s.points.find((p) => p.at === at)?.value ?? null) }));
  }

  private date(iso: string) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'medium' }).format(new Date(iso));
  }

  private number(n: number) {
    return new Intl.NumberFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { maximumFractionDigits: 2 }).format(n);
  }

  private summary(s: Series) {
    const values = s.points.map((p) => p.value);
    return this.t('admin.qr.trend.summary', {
      series: this.label(s), count: values.length, first: this.date(s.points[0]!.at), last: this.date(s.points.at(-1)!.at),
      min: this.number(Math.min(...values)), max: this.number(Math.max(...values)), latest: this.number(values.at(-1)!),
    });
  }

  private async draw() {
    const box = this.renderRoot.querySelector<HTMLElement>('.chart');
    const mine = ++this.drawing;
    this.chart?.destroy();
    this.chart = null;
    const rows = this.rows;
    if (!box || rows.length === 0) return;
    try {
      // The library comes with the first chart, not with the admin.
      const { default: UPlot } = await import('uplot');
      if (mine !== this.drawing) return;
      const shown = this.shown;
      const locale = this.lang === 'fr' ? 'fr-CA' : 'en-CA';
      const axisDate = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', year: '2-digit' });
      const data: uPlot.AlignedData = [rows.map((r) => Date.parse(r.at) / 1000), ...shown.map((_, i) => rows.map((r) => r.values[i] ?? null))];
      const axis = { stroke: '#1f2933', grid: { stroke: '#d9e2ec', width: 1 }, ticks: { stroke: '#9aa5b1', width: 1 } };
      this.chart = new UPlot(
        {
          width: Math.max(box.clientWidth, 200),
          height: box.clientHeight || 260,
          legend: { show: false },
          scales: { x: { time: true } },
          axes: [{ ...axis, values: (_u, splits) => splits.map((s) => axisDate.format(new Date(s * 1000))) }, { ...axis, values: (_u, splits) => splits.map((s) => this.number(s)) }],
          series: [{}, ...shown.map((s, i) => ({ label: this.label(s), stroke: COLOURS[i % COLOURS.length], width: 2, dash: DASHES[i % DASHES.length], spanGaps: true, points: { show: true, size: 7 } }))],
        },
        data,
        box,
      );
      this.chartFailed = false;
      this.resize ??= new ResizeObserver(() => this.chart?.setSize({ width: Math.max(box.clientWidth, 200), height: box.clientHeight || 260 }));
      this.resize.observe(box);
    } catch {
      // No chart (the library did not load): the same data stays readable as a table.
      this.chartFailed = true;
      this.showTable = true;
    }
  }

  private toggle(s: Series, on: boolean) {
    const key = keyOf(s);
    this.chosen = on ? [...this.chosen, key].filter((k, i, all) => all.indexOf(k) === i) : this.chosen.filter((k) => k !== key);
  }

  private close() {
    this.dispatchEvent(new CustomEvent('sm-trend-close', { bubbles: true, composed: true }));
  }

  render() {
    if (this.error) return html`<p class="error" role="alert" tabindex="-1">${this.error}</p>`;
    const d = this.data;
    if (!d) return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    const title = this.t('admin.qr.trend.title', { title: this.lang === 'fr' ? d.titleFr : d.title, name: d.patientName });
    if (d.series.length === 0) return html`<h3 tabindex="-1">${title}</h3><p>${this.t('admin.qr.trend.none')}</p><button class="secondary" @click=${this.close}>${this.t('admin.qr.trend.close')}</button>`;
    const shown = this.shown;
    const names = shown.map((s) => this.label(s)).join(', ');
    return html`<h3 tabindex="-1">${title}</h3>
      <fieldset>
        <legend>${this.t('admin.qr.trend.series')}</legend>
        ${d.series.map(
          (s) => html`<label class="check"
            ><input type="checkbox" .checked=${this.chosen.includes(keyOf(s))} @change=${(e: Event) => this.toggle(s, (e.target as HTMLInputElement).checked)} />
            <span class="key">${this.swatch(shown.indexOf(s))} ${this.label(s)}</span></label
          >`,
        )}
      </fieldset>
      ${shown.length === 0
        ? html`<p>${this.t('admin.qr.trend.noneChosen')}</p>`
        : html`${this.chartFailed ? html`<p class="error" role="status">${this.t('admin.qr.trend.chartFailed')}</p>` : nothing}
            <div class="chart" part="chart" role="img" tabindex="0" aria-label=${this.t('admin.qr.trend.chartLabel', { series: names })} aria-describedby="trend-summary" ?hidden=${this.chartFailed}></div>
            <ul id="trend-summary">
              ${shown.map((s) => html`<li>${this.summary(s)}</li>`)}
            </ul>
            <button class="secondary" aria-expanded=${this.showTable ? 'true' : 'false'} aria-controls="trend-table" @click=${() => (this.showTable = !this.showTable)}>
              ${this.t(this.showTable ? 'admin.qr.trend.hideTable' : 'admin.qr.trend.showTable')}
            </button>
            <div class="scroll" id="trend-table" ?hidden=${!this.showTable}>
              <table>
                <caption>
                  ${title}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${this.t('admin.qr.trend.date')}</th>
                    ${shown.map((s) => html`<th scope="col">${this.label(s)}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${this.rows.map((r) => html`<tr><th scope="row">${this.date(r.at)}</th>${r.values.map((v) => html`<td>${v === null ? '' : this.number(v)}</td>`)}</tr>`)}
                </tbody>
              </table>
            </div>`}
      <p><button class="secondary" @click=${this.close}>${this.t('admin.qr.trend.close')}</button></p>`;
  }

  /** The line's colour and dash, as a small drawing beside its name (decorative: the name says which). */
  private swatch(i: number) {
    if (i < 0) return html`<svg width="28" height="10" aria-hidden="true"></svg>`;
    return html`<svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" stroke=${COLOURS[i % COLOURS.length]!} stroke-width="3" stroke-dasharray=${DASHES[i % DASHES.length]!.join(' ') || 'none'} /></svg>`;
  }
}

defineOnce('sm-response-trend', SmResponseTrend);

declare global {
  interface HTMLElementTagNameMap {
    'sm-response-trend': SmResponseTrend;
  }
  interface HTMLElementEventMap {
    'sm-trend-close': CustomEvent<void>;
  }
}
