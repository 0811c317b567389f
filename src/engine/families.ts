import type { SourceFamilyLoader } from './load-context.js';

/**
 * Loaders of source families beyond part 1 (compose, Kubernetes, workflows, scripts, bake). Each adds its
 * sources, builds and deployments to the model. One line per family.
 */
export const FAMILY_LOADERS: SourceFamilyLoader[] = [];
