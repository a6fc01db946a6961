// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/ShapeTokenizer.h"

#include "daam/builtin/ShapeWorld.h"
#include "daam/text/SpmLibrary.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/JsonConfig.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace daam::builtin {

void trainShapeTokenizer(const std::string& dir, const ShapeTokenizerOptions& options) {
    fs::create_directories(dir);
    const ShapeWorld world(options.worldSeed);
    std::string corpus;
    for (int i = 0; i < options.scenes; ++i) {
        const auto caption = world.scene(static_cast<uint64_t>(i)).caption;
        if (!isHeldOut(caption)) corpus += caption + "\n";
    }
    const auto corpusPath = (fs::path(dir) / "captions.train.txt").string();
    writeFileAtomically(corpusPath, corpus);
    // BPE with room to merge every word of this small grammar into one piece (unigram at this size splits
    // the rarer colours into letters). One thread and a fixed input make the model reproducible. pad gets
    // an id of its own (padding, not the end).
    trainSentencePiece("--input=" + corpusPath + " --model_prefix=" + (fs::path(dir) / "spiece").string() +
                       " --vocab_size=" + std::to_string(options.vocabSize) +
                       " --model_type=bpe --hard_vocab_limit=false --character_coverage=1.0"
                       " --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=3 --num_threads=1 --minloglevel=2");
    fs::remove(corpusPath);
    writeJsonFile(
        (fs::path(dir) / "tokenizer_config.json").string(),
        {{"add_bos_token", true}, {"model_max_length", options.maxLength}, {"tokenizer_class", "T5Tokenizer"}});
}

} // namespace daam::builtin
