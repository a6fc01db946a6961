// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli shapes: samples of the built-in model's synthetic world (images, masks, captions).
#include "Args.h"
#include "Command.h"

#include "daam/builtin/ShapeWorld.h"
#include "daam/io/PngImage.h"
#include "daam/trace/HeatMapImage.h"
#include "daam/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

namespace daam::cli {
namespace {

int runShapes(const std::vector<std::string>& argv) {
    Args args(
        "shapes",
        "Write scenes of the synthetic shape world: DIR/NNNN.png, DIR/NNNN.mask-K.png (object K's exact\n"
        "mask), DIR/captions.json (caption, objects, held-out flag per scene) and DIR/captions.txt (the captions,\n"
        "one per line: a prompts file for `daam-cli batch`).",
        argv);
    args.option("seed", "N", "World seed.", "0");
    args.option("count", "N", "Scenes to write.", "16");
    args.option("side", "PX", "Image side.", "64");
    args.option("out", "DIR", "Output folder.");
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    const auto count = args.getInt("count"), side = args.getInt("side");
    if (count < 1 || count > 100000) throw UsageError("--count must be 1..100000");
    if (side < 16 || side > 1024) throw UsageError("--side must be 16..1024");
    builtin::ShapeWorldOptions options;
    options.side = static_cast<int>(side);
    const builtin::ShapeWorld world(static_cast<uint64_t>(args.getInt("seed")), options);
    std::filesystem::create_directories(out);
    auto index = nlohmann::json::array();
    std::string captions;
    for (long long i = 0; i < count; ++i) {
        const auto scene = world.scene(static_cast<uint64_t>(i));
        char name[32];
        std::snprintf(name, sizeof(name), "%04lld", i);
        writePng(out + "/" + name + ".png", tensorToImage(scene.image));
        auto objects = nlohmann::json::array();
        for (size_t k = 0; k < scene.objects.size(); ++k) {
            const auto& o = scene.objects[k];
            writePng(out + "/" + name + ".mask-" + std::to_string(k) + ".png", tensorToImage(scene.masks[k] * 255));
            objects.push_back({{"shape", builtin::shapeName(o.shape)},
                               {"colour", builtin::colourName(o.colour)},
                               {"centre", {o.cx, o.cy}},
                               {"radius", o.radius},
                               {"phrase", o.phrase}});
        }
        captions += scene.caption + "\n";
        index.push_back({{"image", std::string(name) + ".png"},
                         {"caption", scene.caption},
                         {"held_out", builtin::isHeldOut(scene.caption)},
                         {"objects", objects}});
    }
    writeFileAtomically(out + "/captions.json", index.dump(1) + "\n");
    writeFileAtomically(out + "/captions.txt", captions);
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(shapes, "shapes", "Write scenes of the built-in model's synthetic shape world.", runShapes);
} // namespace daam::cli
