// SPDX-License-Identifier: GPL-3.0-or-later
// Diffusers pipelines in the Hugging Face hub cache, found offline by repo id (`org/name`) as huggingface_hub
// lays the cache out: models--org--name/refs/<ref> holds a commit hash, snapshots/<commit>/ the files (links
// into ../../blobs/). DAAM Studio only reads the cache; it never downloads.
#pragma once

#include <string>
#include <vector>

namespace daam {

// The cache folder huggingface_hub uses, chosen as it chooses: $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE (its
// older name), else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. A leading
// `~` and `$VAR` / `${VAR}` in these variables are expanded, as Python's expanduser and expandvars do. Unlike
// huggingface_hub, a variable set to "" counts as unset (Python would use the current folder). "" when nothing
// names a folder (no variable set, no home folder).
std::string hubCacheDir();

// True for `org/name` as the hub allows it: two parts of ASCII letters, digits, '-', '_' and '.', each starting
// and ending with a letter, digit or '_'; a name of at most 96 characters; no "--" or ".." (the cache uses "--"
// as its separator); not ending in ".git". False for anything that exists on disk: a relative folder `a/b` is
// that folder. A name without an org (`gpt2`) is never taken for a repo id, so that a bare folder name stays one.
bool looksLikeRepoId(const std::string& text);

// The snapshot folder of `repoId` at `revision` in `cacheDir`: a pipeline folder for ModelIndex::open.
// `revision` is a branch or tag ("main", "fp16", "refs/pr/1"; read from refs/<revision>), a 40-digit commit hash
// (snapshots/<hash>, no ref needed), or an abbreviated hash of at least 7 digits that names one cached snapshot.
// "" means "main". Throws FileError naming the folder or file at fault and what to do: no cache, the repo or the
// revision not downloaded, a damaged ref, a missing snapshot, a snapshot without model_index.json (not a
// diffusers pipeline), or a file of the pipeline that links to a missing blob (an incomplete download). Files at
// the snapshot's top level other than model_index.json (single-file checkpoints, README.md) are not checked:
// pipelines never read them, and users delete such large blobs to save space.
std::string resolveHubModel(const std::string& repoId, const std::string& revision = "main",
                            const std::string& cacheDir = hubCacheDir());

struct HubModel {
    std::string repoId;      // "stabilityai/stable-diffusion-2-1"
    std::string snapshotDir; // <cache>/models--stabilityai--stable-diffusion-2-1/snapshots/<revision>
    std::string revision;    // the commit hash refs/main names: resolveHubModel(repoId, revision) is this snapshot
};

// The diffusers pipelines of a cache, sorted by repo id: every models--org--name whose refs/main resolves
// (resolveHubModel(repoId, "main") succeeds). Others (not pipelines, damaged, incomplete, datasets) are left out
// silently; an absent or unreadable cache gives an empty list.
std::vector<HubModel> listHubModels(const std::string& cacheDir = hubCacheDir());

} // namespace daam
