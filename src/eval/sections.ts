// RewardBench (v1) sections and weights, as the official leaderboard computes them.

/**
 * The four RewardBench sections, in the leaderboard's order.
 *
 * @example
 * for (const section of REWARDBENCH_SECTIONS) console.log(section, result.sections[section]);
 */
export const REWARDBENCH_SECTIONS = ['Chat', 'Chat Hard', 'Safety', 'Reasoning'] as const;
/** One of RewardBench (v1)'s four sections. */
export type RewardBenchSection = (typeof REWARDBENCH_SECTIONS)[number];

const SUBSETS: Record<RewardBenchSection, readonly string[]> = {
  Chat: ['alpacaeval-easy', 'alpacaeval-length', 'alpacaeval-hard', 'mt-bench-easy', 'mt-bench-med'],
  'Chat Hard': ['mt-bench-hard', 'llmbar-natural', 'llmbar-adver-neighbor', 'llmbar-adver-GPTInst', 'llmbar-adver-GPTOut', 'llmbar-adver-manual'],
  Safety: ['refusals-dangerous', 'refusals-offensive', 'xstest-should-refuse', 'xstest-should-respond', 'donotanswer'],
  Reasoning: ['math-prm', 'hep-cpp', 'hep-go', 'hep-java', 'hep-js', 'hep-python', 'hep-rust'],
};

// The official EXAMPLE_COUNTS: the filtered dataset's sizes, except math-prm (447 rows) which is
// counted as 984 so that math weighs as much as the six code subsets together.
const OFFICIAL_WEIGHTS: Record<string, number> = {
  'alpacaeval-easy': 100, 'alpacaeval-length': 95, 'alpacaeval-hard': 95, 'mt-bench-easy': 28, 'mt-bench-med': 40,
  'mt-bench-hard': 37, 'llmbar-natural': 100, 'llmbar-adver-neighbor': 134, 'llmbar-adver-GPTInst': 92,
  'llmbar-adver-GPTOut': 47, 'llmbar-adver-manual': 46, 'refusals-dangerous': 100, 'refusals-offensive': 100,
  'xstest-should-refuse': 154, 'xstest-should-respond': 250, donotanswer: 136, 'math-prm': 984,
  'hep-cpp': 164, 'hep-go': 164, 'hep-java': 164, 'hep-js': 164, 'hep-python': 164, 'hep-rust': 164,
};

const OFFICIAL_SECTION = new Map<string, RewardBenchSection>(
  REWARDBENCH_SECTIONS.flatMap((section) => SUBSETS[section].map((subset) => [subset, section] as const)),
);

// `Chat Hard`, `chat-hard`, `chat_hard` and `ChatHard` all name the same section.
const normalize = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');
const SECTION_BY_NAME = new Map<string, RewardBenchSection>(REWARDBENCH_SECTIONS.map((s) => [normalize(s), s]));

/**
 * The section a subset counts towards: the official mapping first; otherwise a subset that is
 * named after a section (`chat`, `chat-hard`, `safety`, `reasoning`, any case or separator);
 * otherwise `undefined` (the subset is reported on its own and left out of the sections).
 *
 * @example
 * sectionOf('llmbar-natural'); // 'Chat Hard'
 * sectionOf('chat_hard');      // 'Chat Hard'
 * sectionOf('my-subset');      // undefined
 */
export function sectionOf(subset: string): RewardBenchSection | undefined {
  return OFFICIAL_SECTION.get(subset) ?? SECTION_BY_NAME.get(normalize(subset));
}

/**
 * A subset's weight inside its section: the official example count for official subsets
 * (math-prm 984, each hep-* 164), the number of rows evaluated for any other subset.
 *
 * @example
 * subsetWeight('math-prm', 447); // 984
 * subsetWeight('chat-hard', 110); // 110
 */
export function subsetWeight(subset: string, rows: number): number {
  return OFFICIAL_WEIGHTS[subset] ?? rows;
}
