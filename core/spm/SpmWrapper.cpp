// SPDX-License-Identifier: GPL-3.0-or-later
// libdaam_spm: sentencepiece behind a C interface (see SpmApi.h for why it is a separate library).
#include "spm/SpmApi.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

struct daam_spm {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {
void setError(char* err, size_t len, const std::string& message) {
    if (!err || len == 0) return;
    std::strncpy(err, message.c_str(), len - 1);
    err[len - 1] = '\0';
}
} // namespace

extern "C" {

int daam_spm_abi_version(void) {
    return DAAM_SPM_ABI_VERSION;
}

daam_spm* daam_spm_load(const char* model_path, char* err, size_t err_len) {
    auto model = std::make_unique<daam_spm>();
    const auto status = model->processor.Load(model_path);
    if (!status.ok()) {
        setError(err, err_len, status.ToString());
        return nullptr;
    }
    return model.release();
}

void daam_spm_free(daam_spm* model) {
    delete model;
}

int daam_spm_encode(const daam_spm* model, const char* text, size_t text_len, daam_spm_piece_fn emit, void* ctx,
                    char* err, size_t err_len) {
    try {
        const auto spt = model->processor.EncodeAsImmutableProto(std::string_view(text, text_len));
        for (size_t i = 0; i < spt.pieces_size(); ++i) {
            const auto piece = spt.pieces(static_cast<int>(i));
            const std::string& text = piece.piece();
            emit(ctx, static_cast<int32_t>(piece.id()), text.data(), text.size(), piece.begin(), piece.end());
        }
    } catch (const std::exception& e) {
        setError(err, err_len, e.what());
        return 1;
    }
    return 0;
}

int32_t daam_spm_vocab_size(const daam_spm* model) {
    return model->processor.GetPieceSize();
}
int32_t daam_spm_bos_id(const daam_spm* model) {
    return model->processor.bos_id();
}
int32_t daam_spm_eos_id(const daam_spm* model) {
    return model->processor.eos_id();
}
int32_t daam_spm_pad_id(const daam_spm* model) {
    return model->processor.pad_id();
}
int32_t daam_spm_unk_id(const daam_spm* model) {
    return model->processor.unk_id();
}

int32_t daam_spm_id_to_piece(const daam_spm* model, int32_t id, char* out, size_t out_len) {
    if (id < 0 || id >= model->processor.GetPieceSize()) return -1;
    const std::string& piece = model->processor.IdToPiece(id);
    if (out && out_len > 0) {
        const size_t n = std::min(piece.size(), out_len - 1);
        std::memcpy(out, piece.data(), n);
        out[n] = '\0';
    }
    return static_cast<int32_t>(piece.size());
}

int daam_spm_train(const char* args, char* err, size_t err_len) {
    const auto status = sentencepiece::SentencePieceTrainer::Train(args);
    if (!status.ok()) {
        setError(err, err_len, status.ToString());
        return 1;
    }
    return 0;
}

} // extern "C"
