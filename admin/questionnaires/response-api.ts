/** The API calls of staff reading responses (trend, print view, reply); a 401 tells the shell the session ended, as AdminApi does. */
import { ApiError, fetchJson } from '../../shared/fetch-json.js';
import type { ResponsePrint, ResponseReply, ResponseReplyResult, ResponseSeries, SeriesQuery } from '../../shared/questionnaire-responses.js';
import type { AdminApi } from '../admin-api.js';

/** Trend, print and reply, for staff. */
export class ResponsesAdminApi {
  constructor(private readonly api: Pick<AdminApi, 'onSessionEnded'>) {}

  async #ended<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.api.onSessionEnded();
      throw err;
    }
  }

  /** One patient's scores and numeric answers to one questionnaire over time. */
  series(q: SeriesQuery): Promise<ResponseSeries> {
    return this.#ended(fetchJson(`/api/questionnaire-series?${new URLSearchParams(q)}`));
  }
  /** One response revision with what its printed copy shows. */
  print(responseId: string): Promise<ResponsePrint> {
    return this.#ended(fetchJson(`/api/questionnaire-responses/${encodeURIComponent(responseId)}/print`));
  }
  /** Writes to the patient about an assignment's response; answers with the conversation. */
  reply(assignmentId: string, input: ResponseReply): Promise<ResponseReplyResult> {
    return this.#ended(fetchJson(`/api/questionnaire-assignments/${encodeURIComponent(assignmentId)}/reply`, { method: 'POST', body: input }));
  }
}
