// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli figure: the paper-style grid from sessions (rows of words or of sessions, columns of step ranges or
// layer groups) as PNG, SVG or PDF, drawn by the app's figure exporter. Built only with the Qt front end.
#include "Args.h"
#include "Command.h"
#include "SessionQuery.h"

#include "ExplorationEngine.h"
#include "Exporter.h"
#include "OverlayRenderer.h"

#include "daam/batch/BatchRunner.h"
#include "daam/trace/LayerSelection.h"

#include <QGuiApplication>

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace daam::cli {
namespace {

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

// One column of the grid: a part of the trace.
struct Column {
    std::string label;
    std::string layers; // a --layers spec, empty: the query's
    int callBegin = 0, callEnd = -1;
};

std::vector<Column> columnsFrom(const std::string& spec, const OpenSession& first) {
    const int calls = first.session.trace->calls();
    if (spec == "all") return {{"all steps", {}, 0, -1}};
    if (spec == "layers") {
        // The blocks that have cross-attention (SD's mid block does, small models' may not).
        std::vector<Column> columns;
        for (const Column& c : {Column{"down blocks", "down"}, Column{"mid block", "mid"}, Column{"up blocks", "up"}}) {
            try {
                selectLayers(first.session.trace->layers(), c.layers, first.aggregator->defaultLayers());
                columns.push_back(c);
            } catch (const Error&) {
            }
        }
        return columns;
    }
    if (spec.rfind("steps:", 0) == 0) {
        const auto n = std::atoi(spec.c_str() + 6);
        if (n < 1 || n > 50 || spec.size() < 7 || spec.find_first_not_of("0123456789", 6) != std::string::npos)
            throw UsageError("--columns steps:N takes N from 1 to 50 (got '" + spec + "')");
        if (n > calls)
            throw UsageError("--columns " + spec + ": the sessions have only " + std::to_string(calls) + " UNet calls");
        std::vector<Column> columns;
        for (int i = 0; i < n; ++i) {
            Column c;
            c.callBegin = i * calls / n;
            c.callEnd = (i + 1) * calls / n;
            c.label = "steps " + std::to_string(c.callBegin + 1) + "–" + std::to_string(c.callEnd);
            columns.push_back(c);
        }
        return columns;
    }
    throw UsageError("--columns must be all, steps:N or layers (got '" + spec + "')");
}

struct Row {
    std::string label;
    size_t session = 0;
    std::string word;
};

int runFigure(const std::vector<std::string>& argv) {
    Args args("figure",
              "Draw a grid of heat maps for a paper: rows of words of one session (--rows words) or of sessions\n"
              "(--rows sessions, one word), columns of the whole generation, equal step ranges (steps:N) or the\n"
              "down, mid and up blocks (layers); one colour bar whose title says what the colours mean. The\n"
              "format follows --out's suffix: .png (at --dpi), .svg or .pdf.",
              argv);
    args.option("index", "FILE", "Take the sessions from a batch's index.jsonl (finished items).");
    args.option("items", "LIST", "With --index: only these items, e.g. 0,4,9 (default: all).");
    args.option("words", "LIST", "The words, comma-separated (default: every word of the first session).");
    args.option("rows", "WHAT", "words (one session's words) or sessions (one word, a row per session).");
    args.option("columns", "SPEC", "all, steps:N or layers.", "all");
    declareQueryOptions(args, false);
    args.option("colormap", "NAME", "jet (as the paper), viridis, magma, inferno, plasma, cividis, turbo or gray.",
                "jet");
    args.option("opacity", "F", "How strongly the heat is drawn over the image.", "0.6");
    args.option("dpi", "N", "PNG resolution.", "300");
    args.option("out", "FILE", "The figure: .png, .svg or .pdf.");
    args.positional("SESSION_DIR...", "Session folders (or give --index).", false, true);
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    ui::FigureFormat format;
    if (!ui::figureFormatFor(QString::fromStdString(out), format))
        throw UsageError("--out must end in .png, .svg or .pdf (got '" + out + "')");
    ColorMapName colorMap;
    if (!parseColorMap(args.get("colormap"), colorMap)) throw UsageError("unknown --colormap " + args.get("colormap"));
    const double opacity = args.getDouble("opacity");
    if (!(opacity >= 0 && opacity <= 1)) throw UsageError("--opacity must be from 0 to 1");
    const auto dpi = args.getInt("dpi");
    if (dpi < 36 || dpi > 1200) throw UsageError("--dpi must be from 36 to 1200");
    const auto normalization = normalizationFrom(args);

    std::vector<std::string> dirs = args.positionals();
    if (args.has("index")) {
        if (!dirs.empty()) throw UsageError("give session folders or --index, not both");
        const auto chosen = splitList(args.get("items"));
        for (const auto& item : finishedItems(args.get("index")))
            if (chosen.empty() || std::find(chosen.begin(), chosen.end(), std::to_string(item.item)) != chosen.end())
                dirs.push_back(item.sessionDir);
        if (dirs.empty()) throw UsageError("--items names no finished item of " + args.get("index"));
    }
    if (dirs.empty()) throw UsageError("give session folders or --index");
    if (dirs.size() > 100) throw UsageError("a figure of more than 100 sessions would not fit a page");
    std::vector<OpenSession> sessions;
    for (const auto& dir : dirs)
        sessions.push_back(openSession(dir));

    const auto rowsKind = args.get("rows").empty() ? (sessions.size() > 1 ? "sessions" : "words") : args.get("rows");
    auto words = splitList(args.get("words"));
    std::vector<Row> rows;
    if (rowsKind == "words") {
        if (sessions.size() > 1) throw UsageError("--rows words draws one session: give one, or --rows sessions");
        if (words.empty())
            for (const auto& w : sessions[0].session.words)
                if (!w.punctuation) words.push_back(w.text);
        for (const auto& w : words)
            rows.push_back({w, 0, w});
    } else if (rowsKind == "sessions") {
        if (words.size() != 1) throw UsageError("--rows sessions draws one word: give --words WORD");
        for (size_t i = 0; i < sessions.size(); ++i) {
            const auto& g = sessions[i].session.generation;
            std::string label = excerpt(sessions[i].session.prompt, 60);
            if (g.contains("request") && g["request"].contains("seed"))
                label += "\nseed " + g["request"]["seed"].dump();
            rows.push_back({label, i, words[0]});
        }
    } else {
        throw UsageError("--rows must be words or sessions (got '" + rowsKind + "')");
    }
    if (rows.size() > 100) throw UsageError("more than 100 rows would not fit a page");

    const auto columns = columnsFrom(args.get("columns"), sessions[0]);
    // Absolute maps share one scale (the largest value drawn), so that the panels compare.
    std::vector<std::vector<torch::Tensor>> maps(rows.size());
    bool approximate = false;
    for (size_t r = 0; r < rows.size(); ++r) {
        const auto& open = sessions[rows[r].session];
        for (const auto& column : columns) {
            auto query = queryFrom(args, open);
            if (column.callEnd >= 0) {
                query.callBegin = column.callBegin;
                query.callEnd = std::min(column.callEnd, open.session.trace->calls());
            }
            if (!column.layers.empty()) {
                try {
                    query.layers =
                        selectLayers(open.session.trace->layers(), column.layers, open.aggregator->defaultLayers());
                } catch (const Error& e) {
                    throw FileError(dirs[rows[r].session], e.what());
                }
            }
            approximate |= !open.aggregator->isExact(query);
            try {
                maps[r].push_back(wordHeatMap(open, query, rows[r].word, normalization));
            } catch (const Error& e) {
                throw FileError(dirs[rows[r].session], e.what());
            }
        }
    }
    double top = 1.0;
    QString barLabel = QStringLiteral("each map scaled to its own range (min–max, as the paper)");
    if (normalization == HeatMapNormalization::Absolute) {
        top = 0;
        for (const auto& row : maps)
            for (const auto& m : row)
                top = std::max(top, m.max().item<double>());
        if (top <= 0) top = 1;
        barLabel = QStringLiteral("attention summed over the steps (mean of layers and heads), one scale for all");
    } else if (normalization == HeatMapNormalization::WordShare) {
        barLabel = QStringLiteral("the word's share of the prompt words' attention");
    }

    int argc = 1;
    char name[] = "daam-cli";
    char* argvQt[] = {name, nullptr};
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argvQt); // fonts for the labels

    ui::FigureGrid grid;
    grid.colorMap = colorMap;
    grid.barLabel = barLabel;
    grid.barMax = top;
    for (const auto& c : columns)
        grid.columnLabels << QString::fromStdString(c.label);
    ui::OverlayStyle style;
    style.colorMap = colorMap;
    style.opacity = opacity;
    for (size_t r = 0; r < rows.size(); ++r) {
        grid.rowLabels << QString::fromStdString(rows[r].label);
        const auto image = ui::toQImage(sessions[rows[r].session].session.image);
        std::vector<QImage> cells;
        for (const auto& m : maps[r]) {
            const auto heat = ui::toHeatMap(normalization == HeatMapNormalization::Absolute ? m / top : m);
            cells.push_back(renderOverlay(image, {&heat}, style));
        }
        grid.cells.push_back(std::move(cells));
    }
    grid.caption = QString::fromStdString(rowsKind == "words" ? sessions[0].session.prompt : "“" + words[0] + "”");
    if (approximate) grid.caption += QStringLiteral(" (step ranges approximate: the traces kept no per-head maps)");
    QString error;
    if (!ui::writeFigureGrid(QString::fromStdString(out), format, grid, static_cast<int>(dpi), &error))
        throw Error(error.toStdString());
    std::fprintf(stderr, "wrote %s: %zu rows x %zu columns\n", out.c_str(), rows.size(), columns.size());
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(figure, "figure", "A paper-style grid of heat maps from sessions (PNG, SVG or PDF).", runFigure);
} // namespace daam::cli
