import type { Finding } from '../model/finding.js';
import type { ProjectModel } from '../model/project.js';
import type { SourceFile, Span } from '../model/source.js';

/**
 * What a source family's loader gets from the project loader: the model to fill (part-1 sources, targets and
 * Dockerfile builds are already there), the inventory's candidate paths, and one cached reader. A loader never
 * throws on bad user files: it adds `parse-error` findings through `problem` and goes on.
 */
export interface LoadContext {
  model: ProjectModel;
  /** Paths present in a clean clone or locally (not git-ignored, not excluded by config `ignore`), sorted. */
  paths: string[];
  /** Reads and caches a file as a SourceFile (registered in model.sources); undefined for binary/unreadable. */
  read(path: string): Promise<SourceFile | undefined>;
  /** Records a parse problem as a `parse-error` finding. */
  problem(file: SourceFile, span: Span, message: string): void;
  /** Adds a note to the run (shown at the top of the report). */
  note(message: string): void;
}

export type SourceFamilyLoader = (context: LoadContext) => Promise<void>;

export type { Finding };
