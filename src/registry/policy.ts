import { IMAGE_BUILD_KEYS, IMAGE_POLICY_KEYS } from '../build/config.js';
import { ConfigError } from '../errors.js';
import { cutAtFirst } from '../model/text.js';
import type { VerifyPolicy } from './verify.js';

/** Policy for an image from crossdock.yaml `images:` (keyed by repository, with or without host/tag). */
export function policyFromConfig(
  raw: Record<string, unknown>,
  refText: string,
  repository: string,
): VerifyPolicy {
  const images = raw.images;
  if (!images || typeof images !== 'object') return {};
  const entries = Object.entries(images as Record<string, unknown>);
  const bare = cutAtFirst(refText, '@').replace(/:[^/:]*$/, '');
  const hit = entries.find(
    ([k]) => k === refText || k === bare || bare.endsWith(`/${k}`) || k === repository,
  );
  if (!hit) return {};
  const v = hit[1];
  if (!v || typeof v !== 'object')
    throw new ConfigError(`crossdock.yaml images."${hit[0]}" must be a mapping`, {
      hint: 'e.g. images: { "reg/app": { platforms: [linux/amd64, linux/arm64], nonRoot: numeric } }',
    });
  const p = v as Record<string, unknown>;
  const known = IMAGE_POLICY_KEYS;
  for (const k of Object.keys(p))
    if (!known.includes(k) && !IMAGE_BUILD_KEYS.includes(k))
      throw new ConfigError(`crossdock.yaml images."${hit[0]}": unknown key "${k}"`, {
        hint: `known keys: ${known.join(', ')}`,
      });
  return Object.fromEntries(Object.entries(p).filter(([k]) => known.includes(k))) as VerifyPolicy;
}
