/** The API calls of staff reading responses (trend, print view, reply), through AdminApi.call so a 401 tells the shell the session ended. */
import type { ResponsePrint, ResponseReply, ResponseReplyResult, ResponseSeries, SeriesQuery } from '../../shared/questionnaire-responses.js';
import type { AdminApi } from '../admin-api.js';

/** Trend, print and reply, for staff. */
export class ResponsesAdminApi {
  constructor(private readonly api: Pick<AdminApi, 'call'>) {}

  /** One patient's scores and numeric answers to one questionnaire over time. */
  series(q: SeriesQuery): Promise<ResponseSeries> {
    return this.api.call(`/api/questionnaire-series?${new URLSearchParams(q)}`);
  }
  /** One response revision with what its printed copy shows. */
  print(responseId: string): Promise<ResponsePrint> {
    return this.api.call(`/api/questionnaire-responses/${encodeURIComponent(responseId)}/print`);
  }
  /** Writes to the patient about an assignment's response; answers with the conversation. */
  reply(assignmentId: string, input: ResponseReply): Promise<ResponseReplyResult> {
    return this.api.call(`/api/questionnaire-assignments/${encodeURIComponent(assignmentId)}/reply`, { method: 'POST', body: input });
  }
}
