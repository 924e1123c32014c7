// Reproduces the NCF paper (He et al., WWW 2017, Tables 2-3) on MovieLens-1M in the paper's own
// leave-one-out split: GMF, MLP, NeuMF, and NeuMF initialised from the trained GMF and MLP, trained
// with this library's train() (fused engine by default) and evaluated with evaluateSampled.
//
//   npx tsx bench/reproduce-ml1m.ts [dataDir] --models gmf,mlp,neumf,neumf-pre --factors 8
//       --epochs 20 --seeds 1,2 --engine fused --threads 2 --out bench/results/x.json
//   npx tsx bench/reproduce-ml1m.ts --render bench/results/a.json bench/results/b.json
//       [--doc docs/benchmarks.md] [--svg docs/hr-per-epoch-factor8.svg]
//   (ablations: --no-holdout, --lr, --batch-size, --negatives, --pre-optimizers sgd,adam,
//   --pretrain-checkpoint val|test|last|holdout-val, --alpha, --alphas A,B,.. (the pretrained
//   combination at each alpha, no training), --pre-lr (NeuMF-pre's own learning rate),
//   --gmf-recipe mf [--mf-every 8] (GMF trained as Rendle et al.'s dot-product MF; bench/ml1m/gmf-mf.ts),
//   --keep-every-epoch (GMF/MLP weights of every epoch, for holdout-val), --limit-users N, --resume, --weights-dir DIR,
//   --reference dense|lazy [--reference-shuffle full|grouped] [--reference-epsilon E],
//   --original-weights DIR; see bench/ml1m/args.ts)
//
// Protocol (as the original Keras code, hexiangnan/neural_collaborative_filtering):
// - test: each user's test item ranked among its 99 listed negatives (the user's own test item,
//   listed in 156 lines, is dropped: it never competes with itself; readNcf does this); HR@10 and
//   NDCG@10 over the 6,040 users, pessimistic ties (the original's heapq.nlargest keeps the earlier
//   of equal scores and the test item is appended last, so ties go against it there too); the
//   optimistic figure is recorded beside it to show what ties are worth.
// - training: 4 negatives per positive, uniform over the items the user has no training positive
//   for, resampled every epoch; batch 256; Adam lr 0.001; 20 epochs; N(0, 0.01) embeddings.
// - evaluation before training (epoch -1, "Init" in the original) and after every epoch. The
//   original reports the best epoch by test HR, the init included; that is "test-selected" here.
// - validation (the honest selection): one training positive per user is held out of training
//   (the first line of the user in the train file, which lists a user's items latest first), ranked
//   among 99 negatives drawn once per run (seeded) from the items that user has no training positive
//   for. "val-selected" reports the test figures of the epoch with the best validation HR.
//   The same run gives both selections, so every model here trains on 6,040 fewer positives than the
//   original (0.6%); `--no-holdout` trains on the full train file to measure what that costs.
// - NeuMF with pretraining: GMF and MLP of the same factor and seed (the runs above, their
//   validation-best epoch; `--pretrain-checkpoint test` takes the test-best one as the original code
//   did) combined by pretrainedNeuMF (alpha 0.5, weights and bias), then trained again for the same
//   epochs with SGD lr 0.001 (the paper) and with Adam lr 0.001 (the original code's README).
//
// The JSON output holds every curve and is rewritten after every epoch (a cut run stays usable).
// `--render` merges result files into docs/benchmarks.md (between GENERATED markers) and draws the
// SVG plot of HR@10 per epoch at factor 8 (hand-written SVG, no dependency).
//
// The parts, in bench/ml1m/:
//   args.ts         the command line (node:util parseArgs)
//   types.ts        the result file's types and the paper's figures
//   data.ts         the NCF split, the validation hold-out and its fixed negatives
//   evaluate.ts     one point of a curve (test pessimistic/optimistic, validation)
//   record.ts       the result file: writer, selections, run bookkeeping, machine and code state
//   checkpoints.ts  the GMF/MLP weights cache NeuMF-pre starts from
//   combinations.ts --alphas: the pretrained combination itself at each alpha
//   run.ts          one run with the library's train()
//   reference.ts    the plain-JS reference trainer (Keras-exact Adam ablation; an independent oracle)
//   original.ts     the original repository's checkpoints (diagnostic)
//   main.ts         the loop over factors, seeds and models
//   render.ts, tables.ts, svg.ts   --render
import { readArgs } from './ml1m/args.js';
import { main } from './ml1m/main.js';
import { render } from './ml1m/render.js';

const args = readArgs(process.argv.slice(2));
if (args.render !== null) render(args);
else await main(args);
