// Child process of src/io/save-crash.test.ts, killed with SIGKILL in the middle of a save.
//   node --import tsx save-crash-child.ts <url> pause:<step>   save bundle B, print "at <step>"
//                                                               when reaching step, then hang
//   node --import tsx save-crash-child.ts <url> loop            print "ready", then save B and A
//                                                               alternately until killed, printing
//                                                               each step
import { useBackend } from './backends.js';
import { saveModel } from '../../src/io/save.js';
import { bigRecommender } from './io-fixtures.js';

const [url, mode] = process.argv.slice(2);
await useBackend('cpu');
const a = bigRecommender(1);
const b = bigRecommender(2);

if (mode.startsWith('pause:')) {
  const wanted = mode.slice('pause:'.length);
  await saveModel(b, url, {
    onProgress: async (step) => {
      if (step !== wanted) return;
      process.stdout.write(`at ${step}\n`);
      await new Promise(() => setInterval(() => undefined, 1000));
    },
  });
} else {
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) await saveModel(i % 2 === 0 ? b : a, url, { onProgress: (step) => void process.stdout.write(`${step}\n`) });
}
