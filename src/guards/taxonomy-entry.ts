// rewardgate/taxonomy: the one category taxonomy of verdicts and the vendors' labels mapped onto it,
// for guards of your own (`guardFromFunction`) that read a vendor's labels.
export { CategorySchema } from '../taxonomy.js';
export type { Category } from '../taxonomy.js';
export type { CategoryHit } from '../types.js';
export {
  mapCategory,
  nemoguardCategories,
  nemotronSafetyGuardCategories,
  llamaGuardCategories,
  openaiModerationCategories,
  promptGuardCategories,
} from './taxonomy-maps.js';
export type { CategoryVendor } from './taxonomy-maps.js';
