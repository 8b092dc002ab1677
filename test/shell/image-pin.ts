// When is a base image pinned? An exact version tag (x.y.z, as node:20.20.2-bookworm-slim), or a
// digest. Distroless publishes no version tags at all: its runtime major and Debian release are in
// the repository name (nodejs20-debian12) and the tag only says who runs it (nonroot), so such a
// base counts as pinned when the FROM line takes a digest build argument to lock it down.

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const EXACT_VERSION_TAG = /^v?\d+\.\d+\.\d+(?:[-_.+].*)?$/;
const VERSIONED_REPOSITORY = /^gcr\.io\/distroless\/[a-z]+\d+-debian\d+$/;
const DIGEST_ARG_SUFFIX = /\$\{?[A-Z0-9_]*DIGEST\}?$/;

/**
 * Why a base image is not pinned, or undefined when it is. `written` is the FROM argument as in
 * the Dockerfile, `ref` the same with the build arguments' defaults expanded.
 */
export function unpinnedReason(written: string, ref: string): string | undefined {
  const at = ref.indexOf("@");
  const nameTag = at < 0 ? ref : ref.slice(0, at);
  if (at >= 0) {
    const digest = ref.slice(at + 1);
    return DIGEST.test(digest) ? undefined : `"${digest}" is not a sha256 digest`;
  }
  const slash = nameTag.lastIndexOf("/");
  const colon = nameTag.lastIndexOf(":");
  const tag = colon > slash ? nameTag.slice(colon + 1) : undefined;
  const repository = colon > slash ? nameTag.slice(0, colon) : nameTag;
  if (tag === undefined) return "no tag (that means latest)";
  if (tag === "latest") return "the latest tag moves";
  if (EXACT_VERSION_TAG.test(tag)) return undefined;
  if (VERSIONED_REPOSITORY.test(repository)) {
    return DIGEST_ARG_SUFFIX.test(written) ? undefined : `${repository} has no version tags: the FROM line needs a digest build argument`;
  }
  return `the tag "${tag}" names no exact version`;
}
