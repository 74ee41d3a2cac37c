import type { NeuralState } from './neural.ts';
import type { StepForecasterFactory } from './types.ts';

/** The TensorFlow.js forecaster's factory, with the backend it runs on. */
export interface NeuralForecasterFactory extends StepForecasterFactory {
  /** 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  backend: string;
}

/**
 * Loads TensorFlow.js, picks its fastest backend (initTensorflow) and returns the MLP
 * forecaster's factory for DetectorOptions.neural. TensorFlow.js is imported here, on
 * demand, so that the detector and everything built on it (the scaler) load without it.
 */
export async function loadNeuralForecaster(): Promise<NeuralForecasterFactory> {
  const neural = await import('./neural.ts');
  const backend = await neural.initTensorflow();
  return {
    backend,
    create: () => neural.createNeuralForecaster(),
    restore: (state) => {
      if (typeof state !== 'object' || state === null) {
        throw new Error(`neural state: an object expected, got ${String(state)}`);
      }
      return neural.restoreNeuralForecaster(state as NeuralState);
    },
  };
}
