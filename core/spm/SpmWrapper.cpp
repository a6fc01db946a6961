// SPDX-License-Identifier: GPL-3.0-or-later
// libdaam_spm: sentencepiece behind a C interface (see SpmApi.h for why it is a separate library).
#include "spm/SpmApi.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct daam_spm {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {
void setError(char* err, size_t len, const std::string& message) {
    if (!err || len == 0) return;
    std::strncpy(err, message.c_str(), len - 1);
    err[len - 1] = '\0';
}

// Calls visit(field number, payload) for each length-delimited field of the protobuf message `bytes` (stopping when
// it returns false); false when the wire format is broken or visit said so.
template <class Visit> bool forEachLengthField(std::string_view bytes, Visit visit) {
    size_t at = 0;
    auto varint = [&](uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at >= bytes.size()) return false;
            const auto b = static_cast<uint8_t>(bytes[at++]);
            v |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80)) return true;
        }
        return false;
    };
    while (at < bytes.size()) {
        uint64_t key = 0, value = 0;
        if (!varint(key)) return false;
        switch (key & 7) {
        case 0: // varint
            if (!varint(value)) return false;
            break;
        case 1: // 64 bits
            if (bytes.size() - at < 8) return false;
            at += 8;
            break;
        case 5: // 32 bits
            if (bytes.size() - at < 4) return false;
            at += 4;
            break;
        case 2: // length-delimited
            if (!varint(value) || value > bytes.size() - at) return false;
            if (!visit(key >> 3, bytes.substr(at, value))) return false;
            at += value;
            break;
        default: // groups, which no sentencepiece model holds
            return false;
        }
    }
    return true;
}

// A normalizer's precompiled_charsmap: <trie size, 4 bytes little-endian><double-array trie (Darts)><replacement
// strings, NUL-separated>. Sentencepiece follows the trie's offsets and values as they are, so a damaged or hostile
// model made it read outside the blob (found by tests/fuzz/fuzz_sentencepiece: a heap overread in
// Normalizer::NormalizePrefix). Walks every unit a prefix search can reach, reading them the way Darts does: each
// must lie in the trie and each value in the replacement strings; the units form no cycle (darts-clone shares common
// suffixes, so a unit may be reached on several paths), and no path holds more matches than the normalizer's results
// array (32). Returns what is wrong, or "".
std::string checkCharsMap(std::string_view blob) {
    if (blob.empty()) return {}; // no rules
    if (blob.size() <= 4) return "its normalization rules are cut short";
    uint32_t trieBytes = 0;
    std::memcpy(&trieBytes, blob.data(), 4);
    if (trieBytes > blob.size() - 4) return "its normalization trie is larger than its rules";
    const size_t units = trieBytes / 4;
    const size_t replacements = blob.size() - 4 - trieBytes;
    if (units == 0) return "its normalization trie is empty";
    auto unit = [&](size_t i) {
        uint32_t u = 0;
        std::memcpy(&u, blob.data() + 4 + 4 * i, 4);
        return u;
    };
    // Darts::DoubleArrayUnit's fields.
    auto offset = [](uint32_t u) -> size_t { return (u >> 10) << ((u & (1U << 9)) >> 6); };
    auto label = [](uint32_t u) { return u & ((1U << 31) | 0xFF); };
    auto hasLeaf = [](uint32_t u) { return ((u >> 8) & 1) == 1; };
    auto value = [](uint32_t u) -> size_t { return u & ((1U << 31) - 1); };
    constexpr int kMaxMatches = 32; // sentencepiece's Normalizer::kMaxTrieResultsSize
    const char* const outside = "its normalization trie points outside itself";

    // Depth-first, without recursion. A node is a unit reached by a byte (the root: unit 0); a search reads its
    // children at base ^ c for the next byte c, whatever it is, and its value at base.
    enum : uint8_t { kUnseen, kOnPath, kDone };
    std::vector<uint8_t> state(units, kUnseen);
    std::vector<uint8_t> matches(units, 0); // the most values on a path from the node down, its own included
    struct Frame {
        size_t node, base;
        uint32_t next; // the next byte to try
        int most;      // the most matches below the node so far
    };
    std::vector<Frame> stack{{0, offset(unit(0)), 0, 0}};
    state[0] = kOnPath;
    if ((stack.back().base | 0xFF) >= units) return outside;
    while (!stack.empty()) {
        Frame& frame = stack.back();
        if (frame.next == 256) {
            const int most = frame.most + (frame.node != 0 && hasLeaf(unit(frame.node)) ? 1 : 0);
            if (most > kMaxMatches) return "its normalization trie has too many rules on one prefix";
            matches[frame.node] = static_cast<uint8_t>(most);
            state[frame.node] = kDone;
            stack.pop_back();
            if (!stack.empty()) stack.back().most = std::max(stack.back().most, most);
            continue;
        }
        const uint32_t c = frame.next++;
        const size_t child = frame.base ^ c;
        const uint32_t u = unit(child);
        if (label(u) != c) continue;
        if (state[child] == kOnPath) return "its normalization trie has a cycle";
        if (state[child] == kDone) {
            frame.most = std::max<int>(frame.most, matches[child]);
            continue;
        }
        const size_t base = child ^ offset(u);
        if ((base | 0xFF) >= units) return outside;
        if (hasLeaf(u) && value(unit(base)) >= replacements)
            return "its normalization trie points outside its replacement strings";
        state[child] = kOnPath;
        stack.push_back({child, base, 0, 0}); // `frame` is not used after this
    }
    return {};
}

// What sentencepiece would read unchecked in the serialized ModelProto `bytes`: the precompiled_charsmap (field 2) of
// its normalizer_spec (field 3) and denormalizer_spec (field 5), every occurrence. Returns what is wrong, or "".
std::string checkModel(std::string_view bytes) {
    std::string why;
    const bool wellFormed = forEachLengthField(bytes, [&](uint64_t field, std::string_view spec) {
        if (field != 3 && field != 5) return true;
        return forEachLengthField(spec, [&](uint64_t specField, std::string_view charsMap) {
            if (specField == 2) why = checkCharsMap(charsMap);
            return why.empty();
        });
    });
    if (!why.empty()) return "not a usable sentencepiece model: " + why;
    if (!wellFormed) return "not a sentencepiece model (not a protobuf message)";
    return {};
}
} // namespace

extern "C" {

int daam_spm_abi_version(void) {
    return DAAM_SPM_ABI_VERSION;
}

daam_spm* daam_spm_load(const char* model_path, char* err, size_t err_len) {
    // No exception may leave this C interface: sentencepiece's double-array builder throws for some damaged models
    // (a piece holding a NUL byte; found by tests/fuzz/fuzz_sentencepiece), which ended the process.
    try {
        // Read here and checked before sentencepiece parses the same bytes.
        std::ifstream in(model_path, std::ios::binary);
        if (!in) {
            setError(err, err_len, std::string("cannot open it: ") + std::strerror(errno));
            return nullptr;
        }
        const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (in.bad()) {
            setError(err, err_len, "cannot read it");
            return nullptr;
        }
        if (const std::string why = checkModel(bytes); !why.empty()) {
            setError(err, err_len, why);
            return nullptr;
        }
        auto model = std::make_unique<daam_spm>();
        const auto status = model->processor.LoadFromSerializedProto(bytes);
        if (!status.ok()) {
            setError(err, err_len, status.ToString());
            return nullptr;
        }
        return model.release();
    } catch (const std::exception& e) {
        setError(err, err_len, std::string("sentencepiece failed: ") + e.what());
    } catch (...) {
        setError(err, err_len, "sentencepiece failed");
    }
    return nullptr;
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
    } catch (...) {
        setError(err, err_len, "sentencepiece failed");
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
    try {
        const auto status = sentencepiece::SentencePieceTrainer::Train(args);
        if (!status.ok()) {
            setError(err, err_len, status.ToString());
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        setError(err, err_len, std::string("sentencepiece failed: ") + e.what());
    } catch (...) {
        setError(err, err_len, "sentencepiece failed");
    }
    return 1;
}

} // extern "C"
