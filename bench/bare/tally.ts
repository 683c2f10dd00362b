/** What the bench's meter counts between two readouts (`GET /__meter`); shared by the meter and the bench reading it. */
export interface Tally {
  workerRequests: number;
  doRequests: number;
  alarmRuns: number;
  rowsRead: number;
  rowsWritten: number;
  alarmsSet: number;
  deleteAlls: number;
  /** Wall time of each alarm run, in ms: what a Durable Object is billed duration for. */
  alarmMs: number[];
}
