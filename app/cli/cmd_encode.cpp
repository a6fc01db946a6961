// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli encode: a prompt's text embeddings, as the pipeline conditions the UNet on them.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"

#include "daam/config/ModelIndex.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/PromptEncoder.h"
#include "daam/text/Tokenizer.h"

#include <torch/torch.h>

#include <cstdio>

namespace daam::cli {
namespace {

int runEncode(const std::vector<std::string>& argv) {
    Args args("encode",
              "Tokenize PROMPT and encode it with the model's text encoder(s); write the UNet's conditioning as\n"
              "tensor `text` (float32 [1, 77, D]; SDXL: both encoders' penultimate states side by side, plus\n"
              "`pooled` [1, P]) and the token ids as `input_ids` (int64 [1, 77]).",
              argv);
    args.option("model", "DIR", "A diffusers pipeline folder. Default: the built-in shape-world model.");
    args.option("prompt", "TEXT", "The prompt.");
    args.option("out", "FILE", "Output .safetensors file (written atomically).");
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    const auto prompt = args.require("prompt");
    torch::NoGradGuard noGrad;
    const auto index = ModelIndex::open(modelFolder(args));
    const auto tokenizer = loadTokenizer(index.componentDir("tokenizer"));
    const auto encoder = PromptEncoder::load(index);
    encoder.checkTokenizer(index, *tokenizer, 1);
    const auto tokenized = tokenizer->encode(prompt);
    // Kept as diffusers' encode_prompt keeps it (truncated), for comparisons; generate refuses such a prompt.
    if (tokenized.truncated)
        std::fprintf(stderr, "daam-cli encode: warning: the prompt has %d tokens; only the first %d are encoded\n",
                     tokenized.promptTokens, tokenizer->promptCapacity());
    const auto ids = torch::tensor(tokenized.ids, torch::kInt64).unsqueeze(0);
    torch::Tensor ids2;
    if (index.family() == ModelFamily::SDXL) {
        const auto tokenizer2 = loadTokenizer(index.componentDir("tokenizer_2"));
        encoder.checkTokenizer(index, *tokenizer2, 2);
        ids2 = torch::tensor(tokenizer2->encode(prompt).ids, torch::kInt64).unsqueeze(0);
    }
    const auto embeddings = encoder.encode(ids, ids2);
    std::vector<std::pair<std::string, torch::Tensor>> tensors = {{"text", embeddings.hidden.contiguous()},
                                                                  {"input_ids", ids}};
    if (embeddings.pooled.defined()) tensors.emplace_back("pooled", embeddings.pooled.contiguous());
    saveSafetensors(out, tensors, {{"prompt", prompt}});
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(encode, "encode", "Write a prompt's text embeddings ([1, 77, D]) to a .safetensors file.", runEncode);
} // namespace daam::cli
