<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>daam::ui::AboutDialog</name>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="62"/>
        <source>About DAAM Studio</source>
        <translation>关于 DAAM Studio</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="74"/>
        <source>Version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="80"/>
        <source>See where each word of a prompt lands in a Stable Diffusion image.</source>
        <translation>查看提示词中的每个词落在 Stable Diffusion 图像的哪个位置。</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="86"/>
        <source>GNU General Public License, version 3 or later</source>
        <translation>GNU 通用公共许可证第 3 版或更高版本</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="88"/>
        <source>DAAM Studio is free software: you may share and change it under the terms of the %1 (%2). It comes with ABSOLUTELY NO WARRANTY, to the extent permitted by law.</source>
        <translation>DAAM Studio 是自由软件：您可以依据 %1（%2）的条款分享和修改它。在法律允许的范围内，本软件不提供任何担保。</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="121"/>
        <source>colour maps from %1</source>
        <translation>来自 %1 的色图</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="126"/>
        <source>%1 colour map (Google)</source>
        <translation>%1 色图（Google）</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="137"/>
        <source>Third-party software</source>
        <translation>第三方软件</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="145"/>
        <source>If DAAM Studio helps your research, please cite the DAAM paper:</source>
        <translation>如果 DAAM Studio 对您的研究有帮助，请引用 DAAM 论文：</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="155"/>
        <source>BibTeX citation</source>
        <translation>BibTeX 引用</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="183"/>
        <source>Copy &amp;BibTeX</source>
        <translation>复制 BibTeX(&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="190"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>daam::ui::AnnotationPanel</name>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="33"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="33"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="33"/>
        <source>Polygon</source>
        <translation>多边形</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="42"/>
        <source>Click the corners of the region; double-click closes and fills it</source>
        <translation>点击区域的各个角点；双击闭合并填充</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="46"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="50"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="61"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="62"/>
        <source>Brush size:</source>
        <translation>画笔大小：</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="65"/>
        <source>not rated</source>
        <translation>未评分</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="66"/>
        <source>How well the word&apos;s map shows the word, from 1 (not at all) to 5 (exactly), as the paper&apos;s human study asked</source>
        <translation>该词的热图在多大程度上显示了该词，从 1（完全没有）到 5（完全准确），与论文的人工评估相同</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="71"/>
        <source>Rating of the map:</source>
        <translation>热图评分：</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="78"/>
        <source>Save Annotations</source>
        <translation>保存标注</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="79"/>
        <source>Write the masks and ratings into the session folder (annotations/)</source>
        <translation>将掩码和评分写入会话文件夹（annotations/）</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="81"/>
        <source>Export Ratings…</source>
        <translation>导出评分…</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="82"/>
        <source>Write the session&apos;s ratings as CSV</source>
        <translation>将会话的评分写为 CSV</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="98"/>
        <source>Annotating “%1”</source>
        <translation>正在标注“%1”</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="99"/>
        <source>Select a word of the prompt to outline its region and rate its map.</source>
        <translation>选择提示词中的一个词，以勾画其区域并为其热图评分。</translation>
    </message>
</context>
<context>
    <name>daam::ui::CompareView</name>
    <message>
        <location filename="../ui/CompareView.cpp" line="72"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="73"/>
        <source>Stop comparing</source>
        <translation>停止比较</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="82"/>
        <source>This session</source>
        <translation>本会话</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="85"/>
        <source>Difference: red where this map is higher, blue where the other&apos;s is</source>
        <translation>差异：红色表示本会话热图更高，蓝色表示另一会话更高</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="114"/>
        <source>Compared with %1: %2</source>
        <translation>与 %1 比较：%2</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="211"/>
        <source>Other session</source>
        <translation>另一会话</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="212"/>
        <source>Select a word to compare its maps.</source>
        <translation>选择一个词以比较其热图。</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="213"/>
        <source>“%1” is not in the other session&apos;s prompt.</source>
        <translation>“%1”不在另一会话的提示词中。</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="219"/>
        <source>Other session, steps %1–%2 of %3</source>
        <translation>另一会话，第 %1–%2 步，共 %3 步</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="221"/>
        <source>“%1”: mean |this − other| = %2, largest %3.</source>
        <translation>“%1”：平均 |本会话 − 另一会话| = %2，最大 %3。</translation>
    </message>
</context>
<context>
    <name>daam::ui::ExplorePanel</name>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="31"/>
        <source>Denoising steps</source>
        <translation>去噪步数</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="34"/>
        <source>Step range</source>
        <translation>步骤范围</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="37"/>
        <location filename="../ui/ExplorePanel.cpp" line="214"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="38"/>
        <source>Slide the chosen range of steps through the denoising</source>
        <translation>让所选步骤范围在去噪过程中滑动</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="51"/>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="56"/>
        <source>Sum the maps of all heads, as the paper does, or show one head&apos;s in every chosen layer (right-click a layer to choose its own). Over part of the steps a head needs the per-head maps a generation may keep.</source>
        <translation>像论文那样对所有注意力头的热图求和，或在每个选中的层中显示一个头的热图（右键单击某层可单独选择）。在部分步骤上，单个头需要生成时保留的逐头热图。</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="60"/>
        <source>&amp;Heads:</source>
        <translation>注意力头(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="71"/>
        <source>No layer selected: showing the paper&apos;s default layers</source>
        <translation>未选择层：显示论文的默认层</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="78"/>
        <source>Mask</source>
        <translation>掩码</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="83"/>
        <source>Threshold τ: a pixel belongs to a word&apos;s mask where its normalized heat exceeds τ</source>
        <translation>阈值 τ：当像素的归一化热度超过 τ 时，该像素属于该词的掩码</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="88"/>
        <source>&amp;Threshold τ:</source>
        <translation>阈值 τ(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="92"/>
        <source>Heat map (no mask)</source>
        <translation>热力图（无掩码）</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="93"/>
        <source>Filled mask</source>
        <translation>填充掩码</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="94"/>
        <source>Mask outline</source>
        <translation>掩码轮廓</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="95"/>
        <source>Cut-out</source>
        <translation>抠图</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="96"/>
        <source>&amp;Show:</source>
        <translation>显示(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="97"/>
        <location filename="../ui/ExplorePanel.cpp" line="201"/>
        <source>Select two words (Ctrl+click) to compare their masks.</source>
        <translation>选择两个词（Ctrl+单击）以比较它们的掩码。</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="105"/>
        <source>Display</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="108"/>
        <source>Jet (as in the paper)</source>
        <translation>Jet（同论文）</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="109"/>
        <source>Viridis</source>
        <translation>Viridis</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="110"/>
        <source>Inferno</source>
        <translation>Inferno</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="111"/>
        <source>Magma</source>
        <translation>Magma</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="112"/>
        <source>Plasma</source>
        <translation>Plasma</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="113"/>
        <source>Cividis</source>
        <translation>Cividis</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="114"/>
        <source>Turbo</source>
        <translation>Turbo</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="115"/>
        <source>Gray</source>
        <translation>灰度</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="116"/>
        <source>Colour map of a single word&apos;s heat; several words each get their own hue</source>
        <translation>单个词热度的色图；多个词时各用一种色调</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="117"/>
        <source>&amp;Colours:</source>
        <translation>颜色(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="121"/>
        <source>How strongly the heat map covers the image</source>
        <translation>热力图覆盖图像的强度</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="122"/>
        <source>&amp;Opacity:</source>
        <translation>不透明度(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="124"/>
        <source>Per word (paper)</source>
        <translation>按词（论文）</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="125"/>
        <source>Shared across words</source>
        <translation>所有词共用</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="126"/>
        <source>Absolute</source>
        <translation>绝对值</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="127"/>
        <source>Share of the words</source>
        <translation>在各词中的占比</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="128"/>
        <source>Per word stretches each map to 0–1; shared keeps words comparable; absolute shows raw attention; share gives each pixel&apos;s split among the prompt&apos;s words</source>
        <translation>“按词”将每张图拉伸到 0–1；“所有词共用”使各词可相互比较；“绝对值”显示原始注意力；“占比”显示每个像素在提示词各词之间的分配</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="131"/>
        <source>&amp;Normalize:</source>
        <translation>归一化(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="132"/>
        <source>Merge a repeated word&apos;s occurrences</source>
        <translation>合并重复词的各次出现</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="133"/>
        <source>A word that occurs more than once: one map of all its occurrences, as castorini/daam computes it; unchecked, each chip shows its own occurrence&apos;s map</source>
        <translation>多次出现的词：像 castorini/daam 那样，将其所有出现合并为一张热图；不勾选时，每个词块显示其自身那次出现的热图</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="179"/>
        <source>All heads (paper)</source>
        <translation>全部头（论文）</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="181"/>
        <source>Head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="187"/>
        <source>Steps %1–%2 of %3</source>
        <translation>第 %1–%2 步，共 %3 步</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="193"/>
        <source>Approximate: this session keeps no per-head maps (Generate ▸ Keep per-head maps for exact step ranges).</source>
        <translation>近似：此会话未保留逐头热图（在“生成”中勾选“保留每个注意力头的热图”可得到精确的步数范围）。</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="195"/>
        <source>All heads shown: one head over part of the steps needs per-head maps (Generate ▸ Keep per-head maps).</source>
        <translation>显示全部头：在部分步数上查看单个头需要逐头热图（在“生成”中勾选“保留每个注意力头的热图”）。</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="211"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
</context>
<context>
    <name>daam::ui::Exporter</name>
    <message>
        <location filename="../ui/Exporter.cpp" line="67"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="106"/>
        <source>each map scaled to its own range (min–max, as the paper)</source>
        <translation>每张图按自身范围缩放（最小–最大，与论文相同）</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="109"/>
        <source>one min–max scale for all the prompt&apos;s words</source>
        <translation>提示词所有单词共用一个最小–最大刻度</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="111"/>
        <source>attention as aggregated (no scaling; above 1 drawn as 1)</source>
        <translation>聚合后的注意力（不缩放；大于 1 按 1 绘制）</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="114"/>
        <source>the word&apos;s share of the prompt words&apos; attention</source>
        <translation>该词在提示词各词注意力中所占份额</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="137"/>
        <source>%1: nothing to export</source>
        <translation>%1：没有可导出的内容</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="145"/>
        <source>%1: could not encode the image</source>
        <translation>%1：无法编码图像</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="192"/>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="244"/>
        <source>%1: could not encode the figure</source>
        <translation>%1：无法编码图表</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="256"/>
        <location filename="../ui/Exporter.cpp" line="268"/>
        <source>DAAM heat maps</source>
        <translation>DAAM 热力图</translation>
    </message>
</context>
<context>
    <name>daam::ui::GenerationPanel</name>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="47"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="71"/>
        <source>Describe the image, e.g. “a red dog on a bench”</source>
        <translation>描述图像，例如“a red dog on a bench”</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="72"/>
        <location filename="../ui/GenerationPanel.cpp" line="75"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="81"/>
        <source>Tokens the prompt takes, of the most the model&apos;s text encoder reads</source>
        <translation>提示词占用的词元数，以及模型文本编码器最多读取的词元数</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="88"/>
        <location filename="../ui/GenerationPanel.cpp" line="95"/>
        <source>Negative prompt</source>
        <translation>反向提示词</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="94"/>
        <source>What the image should not show</source>
        <translation>图像中不应出现的内容</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="122"/>
        <location filename="../ui/GenerationPanel.cpp" line="197"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="116"/>
        <source>A diffusers folder, a single-file checkpoint (.safetensors) or a Hugging Face repo id (org/name) in the local cache; the list holds recent models and those found in the model folders</source>
        <translation>diffusers 文件夹、单文件检查点（.safetensors）或本地缓存中的 Hugging Face 仓库 ID（org/name）；列表包含最近使用的模型和在模型文件夹中找到的模型</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="123"/>
        <source>Choose a model, or where to look for models</source>
        <translation>选择模型，或选择查找模型的位置</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="126"/>
        <source>Choose a model folder…</source>
        <translation>选择模型文件夹…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="127"/>
        <source>Choose a checkpoint file…</source>
        <translation>选择检查点文件…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="129"/>
        <source>Add a folder to search for models…</source>
        <translation>添加用于查找模型的文件夹…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="130"/>
        <source>Search the model folders again</source>
        <translation>重新搜索模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="138"/>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="144"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="145"/>
        <source>The same seed, prompt and settings give the same image</source>
        <translation>相同的种子、提示词和设置会生成相同的图像</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="147"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="148"/>
        <location filename="../ui/GenerationPanel.cpp" line="149"/>
        <source>Random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="156"/>
        <source>&amp;Seed:</source>
        <translation>种子(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="163"/>
        <source>Denoising steps</source>
        <translation>去噪步数</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="164"/>
        <source>S&amp;teps:</source>
        <translation>步数(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="169"/>
        <source>Classifier-free guidance scale; 1 or less turns guidance off</source>
        <translation>无分类器引导（CFG）强度；小于或等于 1 时关闭引导</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="170"/>
        <source>&amp;Guidance:</source>
        <translation>引导强度(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="172"/>
        <location filename="../ui/GenerationPanel.cpp" line="177"/>
        <source>Model default</source>
        <translation>模型默认</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="175"/>
        <source>Sc&amp;heduler:</source>
        <translation>调度器(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="179"/>
        <source>%1 × %1</source>
        <translation>%1 × %1</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="180"/>
        <source>Si&amp;ze:</source>
        <translation>尺寸(&amp;Z)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="182"/>
        <source>diffusers (plain, 75 tokens)</source>
        <translation>diffusers（纯文本，75 个词元）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="183"/>
        <source>A1111 (weights, BREAK, any length)</source>
        <translation>A1111（权重、BREAK、任意长度）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="184"/>
        <source>diffusers reads the prompt as plain text and at most 75 tokens of it. A1111 reads (word), [word], (word:1.3) and BREAK, and any length in windows of 75 tokens; every word of every window gets its map.</source>
        <translation>diffusers 将提示词作为纯文本读取，最多 75 个词元。A1111 读取 (词)、[词]、(词:1.3) 和 BREAK，任意长度按每 75 个词元一个窗口处理；每个窗口中的每个词都有自己的热图。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="188"/>
        <source>Prompt s&amp;yntax:</source>
        <translation>提示词语法(&amp;Y)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="191"/>
        <source>none: text to image</source>
        <translation>无：文本生成图像</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="193"/>
        <source>Start from this image (or drop one on the window): it is encoded, noised to the start below and denoised with the prompt, so the maps show where the model puts each word in it. The size above resizes it; Model default keeps its own size.</source>
        <translation>从此图像开始（或将图像拖到窗口上）：它被编码、加噪到下方的起点，再用提示词去噪，因此热图显示模型把每个词放在图中何处。上方的尺寸会缩放它；“模型默认”保留其原尺寸。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="198"/>
        <source>Choose an image</source>
        <translation>选择图像</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="201"/>
        <source>Start from an image</source>
        <translation>从图像开始</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="202"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.webp *.bmp)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="208"/>
        <source>&amp;Image:</source>
        <translation>图像(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="212"/>
        <source>Explain from t =</source>
        <translation>从 t = 开始解释</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="213"/>
        <source>Redraw, strength</source>
        <translation>重绘，强度</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="214"/>
        <source>Explain: noise the image to this timestep and trace the denoising that follows (low keeps the image). Redraw: diffusers&apos; image-to-image, running this share of the schedule (1 keeps nothing of the image).</source>
        <translation>解释：将图像加噪到此时间步，并追踪随后的去噪（数值低则保留图像）。重绘：diffusers 的图生图，运行此比例的调度（1 表示不保留原图）。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="220"/>
        <source>Start timestep</source>
        <translation>起始时间步</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="225"/>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="240"/>
        <source>Start:</source>
        <translation>起点：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="252"/>
        <source>original</source>
        <translation>原始尺寸</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="253"/>
        <source>crop 0,0</source>
        <translation>裁剪 0,0</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="254"/>
        <source>target</source>
        <translation>目标尺寸</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="258"/>
        <source>SD&amp;XL sizes:</source>
        <translation>SD&amp;XL 尺寸：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="260"/>
        <source>SDXL only: the original size (W×H), the crop&apos;s top-left corner (T,L) and the target size (W×H) the UNet is told; empty: the image size and no crop, as diffusers does</source>
        <translation>仅限 SDXL：告知 UNet 的原始尺寸（宽×高）、裁剪左上角（上,左）和目标尺寸（宽×高）；留空：使用图像尺寸且不裁剪，与 diffusers 相同</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="269"/>
        <source>Where the model runs: the CPU, or one of the CUDA GPUs this build finds</source>
        <translation>模型在哪里运行：CPU，或此构建找到的某块 CUDA GPU</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="271"/>
        <source>float32</source>
        <translation>float32</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="272"/>
        <source>As the model was trained: what the reference results are checked against</source>
        <translation>与模型训练时相同：参考结果以此为准进行校验</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="274"/>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="276"/>
        <source>Less memory, and about twice as fast on CPUs with bfloat16 instructions and on GPUs; heat maps about 1% from float32&apos;s</source>
        <translation>内存更少，在支持 bfloat16 指令的 CPU 和 GPU 上约快一倍；热力图与 float32 相差约 1%</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="279"/>
        <source>float16</source>
        <translation>float16</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="280"/>
        <source>Less memory and the fastest on GPUs; CUDA only</source>
        <translation>内存更少，在 GPU 上最快；仅限 CUDA</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="281"/>
        <source>The number format the model computes in</source>
        <translation>模型计算所用的数值格式</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="282"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="418"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="287"/>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="290"/>
        <source>Keep per-head maps</source>
        <translation>保留每个注意力头的热图</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="291"/>
        <source>Keep every step&apos;s map of every head: exact step ranges and single heads in the Layers panel, for a trace as many times larger as the layers have heads</source>
        <translation>保留每一步每个头的热图：在“层”面板中可得到精确的步数范围和单个头，但追踪数据会按层的头数成倍增大</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="296"/>
        <location filename="../ui/GenerationPanel.cpp" line="661"/>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="297"/>
        <location filename="../ui/GenerationPanel.cpp" line="663"/>
        <source>Generate the image and trace its attention (Ctrl+Return)</source>
        <translation>生成图像并追踪其注意力（Ctrl+Return）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="299"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="300"/>
        <source>Stop the generation after the current step (Esc)</source>
        <translation>在当前步骤结束后停止生成（Esc）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="324"/>
        <source>Denoising preview</source>
        <translation>去噪预览</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="344"/>
        <source>Shapes (plain)</source>
        <translation>形状（普通）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="345"/>
        <source>Shapes (attention-supervised)</source>
        <translation>形状（注意力监督）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="351"/>
        <source>A small model of a world of coloured shapes, trained as Stable Diffusion is: its maps are what DAAM finds in a model nobody showed where to look.</source>
        <translation>一个彩色形状世界的小模型，按 Stable Diffusion 的方式训练：它的热图就是 DAAM 在一个没人教过它该看哪里的模型中找到的。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="354"/>
        <source>The same model with its cross-attention also taught where each object is: its maps are close to what it was taught, not only what DAAM finds.</source>
        <translation>同一个模型，但其交叉注意力还被教过每个物体的位置：它的热图接近它被教的内容，而不只是 DAAM 找到的。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="419"/>
        <source>CUDA GPU %1</source>
        <translation>CUDA GPU %1</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="442"/>
        <source>%1 (not found)</source>
        <translation>%1（未找到）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="518"/>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="536"/>
        <source>%1 steps is outside %2–%3: set to %4.</source>
        <translation>%1 步超出 %2–%3 的范围：已设为 %4。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="545"/>
        <source>Guidance %1 is outside %2–%3.</source>
        <translation>引导强度 %1 超出 %2–%3 的范围。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="555"/>
        <source>DDIM&apos;s eta %1 is not among these settings: generating here uses 0.</source>
        <translation>DDIM 的 eta %1 不在这些设置中：此处生成时使用 0。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="559"/>
        <source>Made with the model “%1”; the model above is kept.</source>
        <translation>由模型“%1”生成；上方的模型保持不变。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="629"/>
        <source>Choose a diffusers model folder</source>
        <translation>选择 diffusers 模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="634"/>
        <source>Choose a checkpoint file</source>
        <translation>选择检查点文件</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="635"/>
        <source>Checkpoints (*.safetensors);;All files (*)</source>
        <translation>检查点 (*.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="640"/>
        <source>Add a folder to search for models</source>
        <translation>添加用于查找模型的文件夹</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="661"/>
        <source>Restart</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="662"/>
        <source>Cancel this generation and start again with the current settings (Ctrl+Return)</source>
        <translation>取消本次生成并使用当前设置重新开始（Ctrl+Return）</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="670"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="677"/>
        <source>Loading the model from %1…</source>
        <translation>正在从 %1 加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="683"/>
        <source>Step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="684"/>
        <source>%1 elapsed, about %2 left</source>
        <translation>已用 %1，约剩 %2</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="700"/>
        <source>Tokens: %1, in %2 windows of %3</source>
        <translation>词元：%1，分为 %2 个窗口，每个 %3</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="702"/>
        <source>Tokens: %1 / %2, too many: the text encoder reads %2. Shorten it, or read it with A1111&apos;s syntax, to generate.</source>
        <translation>词元：%1 / %2，过多：文本编码器只读取 %2 个。请缩短提示词，或使用 A1111 语法读取，然后再生成。</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="706"/>
        <source>Tokens: %1 / %2</source>
        <translation>词元：%1 / %2</translation>
    </message>
</context>
<context>
    <name>daam::ui::ImageView</name>
    <message>
        <location filename="../ui/ImageView.cpp" line="19"/>
        <source>Wheel or +/- zooms, drag pans, double-click or 0 fits the image.</source>
        <translation>滚轮或 +/- 缩放，拖动平移，双击或按 0 适应窗口。</translation>
    </message>
    <message>
        <location filename="../ui/ImageView.cpp" line="20"/>
        <source>Image with heat map</source>
        <translation>带热力图的图像</translation>
    </message>
    <message>
        <location filename="../ui/ImageView.cpp" line="71"/>
        <source>Open a session (File ▸ Open, or drop its folder here) or generate an image.</source>
        <translation>打开会话（文件 ▸ 打开，或将其文件夹拖放到此处），或生成一张图像。</translation>
    </message>
</context>
<context>
    <name>daam::ui::LayerSelector</name>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="26"/>
        <source>Mid block</source>
        <translation>中间块</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="23"/>
        <source>All layers</source>
        <translation>所有层</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="24"/>
        <source>Paper default</source>
        <translation>论文默认</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="25"/>
        <source>Down blocks</source>
        <translation>下采样块</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="27"/>
        <source>Up blocks</source>
        <translation>上采样块</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="28"/>
        <source>%1 maps</source>
        <translation>%1 图</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="37"/>
        <source>&amp;Preset:</source>
        <translation>预设(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="47"/>
        <source>Cross-attention layers whose maps are averaged. Right-click a layer to choose its heads.</source>
        <translation>对其热图取平均的交叉注意力层。右键单击某层可选择它的注意力头。</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="96"/>
        <source>Heads in %1</source>
        <translation>%1 中的注意力头</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="106"/>
        <source>As the Heads box chooses</source>
        <translation>按“注意力头”框的选择</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="107"/>
        <source>All heads of this layer</source>
        <translation>该层的所有注意力头</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="110"/>
        <source>Head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="56"/>
        <source>Choose a group of layers. Paper default: the down and up blocks without 8×8 maps, as castorini/daam averages them.</source>
        <translation>选择一组层。论文默认：下采样块和上采样块中除 8×8 图以外的层，与 castorini/daam 的平均方式相同。</translation>
    </message>
</context>
<context>
    <name>daam::ui::LayerTreeModel</name>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="17"/>
        <source>Down block %1</source>
        <translation>下采样块 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="19"/>
        <source>Mid block</source>
        <translation>中间块</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="21"/>
        <source>Up block %1</source>
        <translation>上采样块 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="39"/>
        <source>down %1</source>
        <translation>下采样 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="42"/>
        <source>mid</source>
        <translation>中间</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="45"/>
        <source>up %1</source>
        <translation>上采样 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="57"/>
        <source>attention %1</source>
        <translation>注意力 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="58"/>
        <source>block %1</source>
        <translation>块 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="94"/>
        <source>%1 maps</source>
        <translation>%1 图</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="190"/>
        <source>all heads</source>
        <translation>所有头</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="191"/>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="192"/>
        <source>heads %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="200"/>
        <source>%1 (heads: %2)</source>
        <translation>%1（头数：%2）</translation>
    </message>
</context>
<context>
    <name>daam::ui::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="86"/>
        <location filename="../ui/MainWindow.cpp" line="1112"/>
        <source>DAAM Studio</source>
        <translation>DAAM Studio</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="113"/>
        <location filename="../ui/MainWindow.cpp" line="367"/>
        <source>Point at the image to see which words drew each spot.</source>
        <translation>将鼠标指向图像，查看每个位置由哪些词绘制。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="115"/>
        <source>Values under the cursor</source>
        <translation>光标处的数值</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="119"/>
        <source>Explore</source>
        <translation>探索</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="129"/>
        <source>Plots</source>
        <translation>图表</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="139"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="153"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="160"/>
        <source>Annotate</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="199"/>
        <source>Write a prompt first.</source>
        <translation>请先输入提示词。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="200"/>
        <source>Choose a model folder first.</source>
        <translation>请先选择模型文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="210"/>
        <location filename="../ui/MainWindow.cpp" line="211"/>
        <source>Generation failed: %1</source>
        <translation>生成失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="214"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="216"/>
        <source>Done in %1 s.</source>
        <translation>完成，用时 %1 秒。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="240"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="258"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="259"/>
        <source>&amp;Open Session…</source>
        <translation>打开会话(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="261"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="263"/>
        <source>&amp;Compare With Session…</source>
        <translation>与会话比较(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="265"/>
        <source>Settings from &amp;PNG…</source>
        <translation>从 PNG 读取设置(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="267"/>
        <source>&amp;Save Session As…</source>
        <translation>会话另存为(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="270"/>
        <source>Export &amp;Overlay as PNG…</source>
        <translation>将叠加图导出为 PNG(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="272"/>
        <source>Export &amp;Figure (PNG, SVG, PDF)…</source>
        <translation>导出图表（PNG、SVG、PDF）(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="274"/>
        <source>Export &amp;Masks as PNG…</source>
        <translation>将掩码导出为 PNG(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="275"/>
        <source>Export Map &amp;Values (.npy, .safetensors)…</source>
        <translation>导出热图数值(&amp;V)（.npy、.safetensors）…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="277"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="280"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="284"/>
        <source>&amp;Fit Image</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="286"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="292"/>
        <source>System Language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="305"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="306"/>
        <source>The new language takes effect when DAAM Studio is started again.</source>
        <translation>新语言将在下次启动 DAAM Studio 时生效。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="310"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="312"/>
        <source>&amp;About DAAM Studio…</source>
        <translation>关于 DAAM Studio(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="419"/>
        <source>Computing heat maps…</source>
        <translation>正在计算热力图…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="440"/>
        <source>Could not compute the heat maps: %1</source>
        <translation>无法计算热力图：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="515"/>
        <source>Syntax: %1</source>
        <translation>句法：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="517"/>
        <source>Syntax: the parser relates none of the prompt&apos;s words</source>
        <translation>句法：解析器未找到提示词之间的任何关系</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="519"/>
        <source>Syntax unavailable: %1</source>
        <translation>句法不可用：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="545"/>
        <source>Draw the word&apos;s region to score its map against it.</source>
        <translation>绘制该词的区域，以据此为其热图打分。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="555"/>
        <source>IoU of the map at τ = %1 with the drawn region: %2</source>
        <translation>τ = %1 时热图与所绘区域的 IoU：%2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="566"/>
        <source>IoU(%1, %2) = %3
IoA(%1 in %2) = %4 · IoA(%2 in %1) = %5</source>
        <translation>IoU(%1, %2) = %3
IoA(%1 在 %2 中) = %4 · IoA(%2 在 %1 中) = %5</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="575"/>
        <source>%1(%2 → %3)
</source>
        <translation>%1(%2 → %3)
</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="636"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="637"/>
        <source>x %1, y %2 — %3</source>
        <translation>x %1，y %2 — %3</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="681"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="740"/>
        <source>Could not save the annotations: %1</source>
        <translation>无法保存标注：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="738"/>
        <source>Saved the annotations in %1</source>
        <translation>已将标注保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="748"/>
        <source>Export the ratings</source>
        <translation>导出评分</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="748"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="755"/>
        <source>Could not export the ratings: %1</source>
        <translation>无法导出评分：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="762"/>
        <source>Opening %1 to compare…</source>
        <translation>正在打开 %1 以进行比较…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="766"/>
        <source>Could not compare with %1: %2</source>
        <translation>无法与 %1 比较：%2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="771"/>
        <source>Comparing with %1</source>
        <translation>正在与 %1 比较</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="779"/>
        <source>Open or generate a session first, then compare it with another.</source>
        <translation>请先打开或生成一个会话，再与另一个会话比较。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="781"/>
        <source>Compare with a session folder</source>
        <translation>与会话文件夹比较</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="795"/>
        <source>Reading the settings of %1…</source>
        <translation>正在读取 %1 的设置…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="824"/>
        <source>%1 carries no settings: %2</source>
        <translation>%1 不含设置：%2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="830"/>
        <source>Could not take the settings of a PNG: %1</source>
        <translation>无法读取 PNG 的设置：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="837"/>
        <source>Settings from %1 (%2).</source>
        <translation>设置来自 %1（%2）。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="857"/>
        <source>Could not open the session %1: %2</source>
        <translation>无法打开会话 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="865"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="886"/>
        <source>Settings of the session %1.</source>
        <translation>会话 %1 的设置。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="905"/>
        <source>The session&apos;s settings were not taken: %1</source>
        <translation>未采用该会话的设置：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="912"/>
        <source>The generated session cannot be shown: %1</source>
        <translation>无法显示生成的会话：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="925"/>
        <source>Saving %1…</source>
        <translation>正在保存 %1…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="935"/>
        <source>Could not save the session: %1</source>
        <translation>无法保存会话：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="945"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1012"/>
        <source>Nothing to export: open or generate a session first.</source>
        <translation>没有可导出的内容：请先打开或生成一个会话。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1006"/>
        <location filename="../ui/MainWindow.cpp" line="1088"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1015"/>
        <location filename="../ui/MainWindow.cpp" line="1054"/>
        <location filename="../ui/MainWindow.cpp" line="1071"/>
        <location filename="../ui/MainWindow.cpp" line="1092"/>
        <source>Wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1041"/>
        <source>Export failed: %1: use a .png, .svg or .pdf file name</source>
        <translation>导出失败：%1：请使用 .png、.svg 或 .pdf 文件名</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="982"/>
        <source>Nothing to export: select at least one word.</source>
        <translation>没有可导出的内容：请至少选择一个词。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1060"/>
        <source>Export failed: %1: use a .npy or .safetensors file name</source>
        <translation>导出失败：%1：请使用 .npy 或 .safetensors 文件名</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1081"/>
        <source>Masks written: %1</source>
        <translation>已写入掩码：%1 个</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1113"/>
        <source>unsaved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1114"/>
        <source>%1 (%2) — DAAM Studio</source>
        <translation>%1（%2）— DAAM Studio</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1171"/>
        <source>Type what the image shows in the prompt, then Generate: its words get maps over the image.</source>
        <translation>在提示词中输入图像的内容，然后点击生成：其中的词会在图像上得到热图。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1178"/>
        <source>Open a session folder</source>
        <translation>打开会话文件夹</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1183"/>
        <source>Take the settings of an image</source>
        <translation>读取图像的设置</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="922"/>
        <location filename="../ui/MainWindow.cpp" line="1189"/>
        <source>Nothing to save: open or generate a session first.</source>
        <translation>没有可保存的内容：请先打开或生成一个会话。</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1190"/>
        <source>Save the session as a folder</source>
        <translation>将会话保存为文件夹</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1196"/>
        <source>Export the overlay</source>
        <translation>导出叠加图</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1184"/>
        <location filename="../ui/MainWindow.cpp" line="1196"/>
        <location filename="../ui/MainWindow.cpp" line="1224"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1203"/>
        <source>Export a figure</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1204"/>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg);;PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1210"/>
        <source>Figure resolution</source>
        <translation>图表分辨率</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1210"/>
        <source>Dots per inch:</source>
        <translation>每英寸点数（DPI）：</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1217"/>
        <source>Export the maps as numbers</source>
        <translation>将热图导出为数值</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1218"/>
        <source>safetensors (*.safetensors);;NumPy arrays (*.npy)</source>
        <translation>safetensors (*.safetensors);;NumPy 数组 (*.npy)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1224"/>
        <source>Export masks</source>
        <translation>导出掩码</translation>
    </message>
</context>
<context>
    <name>daam::ui::ModelScanner</name>
    <message>
        <location filename="../ui/ModelScanner.cpp" line="25"/>
        <source>cannot be opened</source>
        <translation>无法打开</translation>
    </message>
</context>
<context>
    <name>daam::ui::PlotsPanel</name>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="64"/>
        <source>Attention mass per step</source>
        <translation>每步注意力总量</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="65"/>
        <source>Share per layer</source>
        <translation>各层占比</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="66"/>
        <source>Heat values</source>
        <translation>热度值</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="67"/>
        <source>denoising step</source>
        <translation>去噪步骤</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="68"/>
        <source>mean attention</source>
        <translation>平均注意力</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="69"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="70"/>
        <location filename="../ui/PlotsPanel.cpp" line="233"/>
        <source>heat</source>
        <translation>热度</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="71"/>
        <source>pixels</source>
        <translation>像素</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="73"/>
        <source>How much attention the selected words receive at each step; the shaded band is the chosen range</source>
        <translation>所选词在每一步获得的注意力；阴影带为所选范围</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="74"/>
        <source>Each layer&apos;s part of the selected word&apos;s heat map</source>
        <translation>各层在所选词热力图中所占的部分</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="75"/>
        <source>Distribution of the selected word&apos;s heat values; the line is the threshold τ</source>
        <translation>所选词热度值的分布；竖线为阈值 τ</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="85"/>
        <source>Save Plot As…</source>
        <translation>图表另存为…</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="86"/>
        <source>Save the plot</source>
        <translation>保存图表</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="87"/>
        <source>PNG (*.png);;PDF (*.pdf);;SVG (*.svg)</source>
        <translation>PNG (*.png);;PDF (*.pdf);;SVG (*.svg)</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="165"/>
        <source>%1: could not encode the plot</source>
        <translation>%1：无法编码该图表</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="183"/>
        <source>%1: use a .png, .pdf or .svg file name</source>
        <translation>%1：请使用 .png、.pdf 或 .svg 文件名</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="214"/>
        <source>share</source>
        <translation>占比</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="214"/>
        <source>share of “%1”</source>
        <translation>“%1”的占比</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="233"/>
        <source>heat of “%1”</source>
        <translation>“%1”的热度</translation>
    </message>
</context>
<context>
    <name>daam::ui::RangeSlider</name>
    <message>
        <location filename="../ui/RangeSlider.cpp" line="21"/>
        <source>Drag either handle to choose the denoising steps the maps sum over. Arrow keys move the active handle; Shift+arrow moves the other one.</source>
        <translation>拖动任一滑块，选择注意力图求和的去噪步骤。方向键移动当前滑块；Shift+方向键移动另一个。</translation>
    </message>
</context>
<context>
    <name>daam::ui::TokenStrip</name>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="26"/>
        <source>Negative:</source>
        <translation>反向：</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="27"/>
        <source>The negative prompt&apos;s words: their maps are the unconditional half&apos;s attention</source>
        <translation>反向提示词中的词：其热图来自无条件一半的注意力</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="32"/>
        <source>Start/end</source>
        <translation>起始/结束</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="34"/>
        <source>Show the start and end tokens as chips too: they take most of the attention</source>
        <translation>也将起始和结束词元显示为标签：它们占据了大部分注意力</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="35"/>
        <source>Show start and end tokens</source>
        <translation>显示起始和结束词元</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="220"/>
        <source> (key %1)</source>
        <translation>（按键 %1）</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="222"/>
        <source>A token of no word: the model reads it with every prompt
Click to select, Ctrl+click to add to the selection.</source>
        <translation>不属于任何词的词元：模型在每个提示词中都会读到它
单击选择，Ctrl+单击加入选择。</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="226"/>
        <source>Tokens: %1%2
Click to select, Ctrl+click to add to the selection.</source>
        <translation>词元：%1%2
单击选择，Ctrl+单击加入选择。</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="229"/>
        <source>Weight %1 (A1111&apos;s emphasis)</source>
        <translation>权重 %1（A1111 强调）</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="240"/>
        <source>Occurrence %1 of %2 of this word: its own map, or all of them as one with Display ▸ Merge a repeated word&apos;s occurrences</source>
        <translation>此词的第 %1 次出现（共 %2 次）：显示其自身的热图，或通过“显示 ▸ 合并重复词的各次出现”将所有出现合为一张</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="244"/>
        <source>Word %1: %2</source>
        <translation>词 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="399"/>
        <source>%1: %2 → %3 (Link Grammar link %4)
Click to compare the two words&apos; masks.</source>
        <translation>%1：%2 → %3（Link Grammar 连接 %4）
点击以比较这两个词的掩码。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main.cpp" line="40"/>
        <source>See where each word of a prompt lands in a Stable Diffusion image.</source>
        <translation>查看提示词中的每个词落在 Stable Diffusion 图像的哪个位置。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="44"/>
        <source>A session folder to open, or a PNG to take the generation settings of.</source>
        <translation>要打开的会话文件夹，或要读取其生成设置的 PNG。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="48"/>
        <source>Select word N (1-based); repeat to select several.</source>
        <translation>选择第 N 个词（从 1 开始）；重复此选项可选择多个。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="51"/>
        <source>Show masks: fill, outline or cutout.</source>
        <translation>显示掩码：fill、outline 或 cutout。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="54"/>
        <source>Save a screenshot of the window to FILE and exit.</source>
        <translation>将窗口截图保存到 FILE 并退出。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="57"/>
        <source>Generate the prompt at start-up (the built-in model does so unless a session is opened).</source>
        <translation>启动时生成提示词的图像（未打开会话时，内置模型会自动生成）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="60"/>
        <source>Compare the session with the one in DIR.</source>
        <translation>将会话与 DIR 中的会话比较。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="63"/>
        <source>Open the Annotate panel on the selected word.</source>
        <translation>为选中的词打开标注面板。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="82"/>
        <source>--select needs a word number from 1, not &apos;%1&apos;</source>
        <translation>--select 需要从 1 开始的词序号，而不是“%1”</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="98"/>
        <source>--mask must be fill, outline or cutout, not &apos;%1&apos;</source>
        <translation>--mask 必须是 fill、outline 或 cutout，而不是“%1”</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="119"/>
        <source>could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
</context>
</TS>
