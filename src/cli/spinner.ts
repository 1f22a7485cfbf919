/** The ora spinner behind HumanSink, loaded only when stderr is a terminal. */
import ora from 'ora';
import type { SpinnerFactory } from '../output/human-sink.js';

// ora draws on the real stderr (it needs a TTY stream); the OutStream only tells us that stderr is one.
export const oraSpinnerFactory: SpinnerFactory = () => ora({ stream: process.stderr, discardStdin: false, hideCursor: false });
