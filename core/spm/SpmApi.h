// SPDX-License-Identifier: GPL-3.0-or-later
// The C interface of libdaam_spm, the one library that links Debian's libsentencepiece. daam_core never
// links sentencepiece: it dlopen()s this wrapper with RTLD_DEEPBIND (text/SpmLibrary.cpp), so that the
// wrapper's protobuf symbols resolve to sentencepiece's own protobuf and not to libtorch's.
// Plain C types only: nothing of either protobuf crosses this boundary.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DAAM_SPM_ABI_VERSION 1

typedef struct daam_spm daam_spm;

// Called once per piece by daam_spm_encode: id, piece text (UTF-8, '▁' marks a word start), and the
// byte span [begin, end) of the input it came from.
typedef void (*daam_spm_piece_fn)(void* ctx, int32_t id, const char* piece, size_t piece_len, uint32_t begin,
                                  uint32_t end);

int daam_spm_abi_version(void);
// Returns NULL and writes a message to err on failure.
daam_spm* daam_spm_load(const char* model_path, char* err, size_t err_len);
void daam_spm_free(daam_spm* model);
// Returns 0 on success, else writes a message to err.
int daam_spm_encode(const daam_spm* model, const char* text, size_t text_len, daam_spm_piece_fn emit, void* ctx,
                    char* err, size_t err_len);
int32_t daam_spm_vocab_size(const daam_spm* model);
// -1 when the model defines no such token.
int32_t daam_spm_bos_id(const daam_spm* model);
int32_t daam_spm_eos_id(const daam_spm* model);
int32_t daam_spm_pad_id(const daam_spm* model);
int32_t daam_spm_unk_id(const daam_spm* model);
// Copies the piece of `id` (NUL-terminated) into out; returns its length, or -1 for a bad id.
int32_t daam_spm_id_to_piece(const daam_spm* model, int32_t id, char* out, size_t out_len);
// Trains a model: `args` are SentencePieceTrainer flags ("--input=... --model_prefix=... --vocab_size=...").
int daam_spm_train(const char* args, char* err, size_t err_len);

#ifdef __cplusplus
}
#endif
