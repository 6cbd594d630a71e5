export * from "./saga-runner";
export { runSagaWorker } from "./saga-worker";
export { registerSagaMetrics } from "./sagas.metrics";
export { sagasPart } from "./sagas.part";
export type { SagaFailure, SagaHistoryEntry, SagaRow, SagaStatus } from "./sagas.repo";
export { historyOf as sagaHistory } from "./sagas.repo";
export { migrateSagaTables } from "./sagas.schema";
export { inventorySteps } from "./inventory-steps";
export { paymentsSteps } from "./payments-steps";
export { asStep, expectStepOk, settleStep, stepRefusal } from "./step-answers";
export {
  type ProviderStepCode,
  providerStepProblems,
  type StepProblem,
  type StepProblems,
  type StepProblemWording,
  stepProblemOf,
} from "./step-problems";
