export * from "./saga-runner";
export { runSagaWorker } from "./saga-worker";
export { registerSagaMetrics } from "./sagas.metrics";
export { sagasPart } from "./sagas.part";
export type { SagaFailure, SagaHistoryEntry, SagaRow, SagaStatus } from "./sagas.repo";
export { historyOf as sagaHistory } from "./sagas.repo";
export { migrateSagaTables } from "./sagas.schema";
export { asStep, expectStepOk, settleStep, stepRefusal } from "./step-answers";
