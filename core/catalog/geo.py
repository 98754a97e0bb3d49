# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the ``geo``-layer (code → {"zh", "en"}).

Grouped by what they are about: the reach, reading files, field values, geometries, the
readers, coordinate reference systems, walking networks, layers given to the measuring
functions, travel times, service areas and coverage. Arguments that show values as they were
read (``values``) are already formatted, quoted as Python shows them.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ reach
    "geo.reach.not_positive": {"zh": "{name} 必须是有限的正数，实际为 {value}", "en": "{name} must be a finite positive number, got {value}"},
    # ------------------------------------------------------------------ reading files
    "geo.file.not_found": {"zh": "文件不存在", "en": "file not found"},
    "geo.file.cannot_open": {"zh": "无法打开：{error}", "en": "cannot open: {error}"},
    "geo.file.cannot_read": {"zh": "无法读取：{error}", "en": "cannot read: {error}"},
    "geo.file.no_layer": {"zh": "没有图层 {layer}；现有图层为 {layers}", "en": "no layer {layer}; layers are {layers}"},
    "geo.file.which_layer": {"zh": "文件有 {n} 个图层 {layers}；请用 layer= 指定使用哪一个", "en": "the file has {n} layers {layers}; say which one with layer="},
    "geo.file.csv_unreadable": {"zh": "无法按 CSV 读取：{error}", "en": "cannot read as CSV: {error}"},
    "geo.file.csv_undecodable": {"zh": "无法解码文本（已尝试 {tried}）：{error}；请用 encoding= 指定编码", "en": "cannot decode the text (tried {tried}): {error}; pass encoding="},
    "geo.file.dbf_undecodable": {"zh": "无法解码属性表（{error}）；请用 encoding= 指定编码", "en": "cannot decode the attribute table ({error}); pass encoding="},
    "geo.file.dbf_read_as": {"zh": "没有 .cpg 文件：属性表按 {encoding} 读取", "en": "no .cpg: attribute table read as {encoding}"},
    "geo.file.field_name_cut": {"zh": "字段名 {name} 被 Shapefile 的 10 字节限制从字符中间截断", "en": "field name {name} was cut inside a character by the Shapefile 10-byte limit"},
    # ------------------------------------------------------------------ field values
    "geo.value.not_a_number": {"zh": "不是数字：{values}", "en": "not a number: {values}"},
    "geo.value.year_not_whole": {"zh": "年份不是整数：{values}", "en": "year is not a whole number: {values}"},
    "geo.value.negative": {"zh": "出现负值 {values}", "en": "negative values {values}"},
    "geo.value.share_range": {"zh": "比例必须在 0 到 1 之间，实际为 {values}", "en": "a share must lie between 0 and 1, got {values}"},
    "geo.value.not_number_list": {"zh": "应为以逗号分隔的数字，实际为 {values}", "en": "expected numbers separated by commas, got {values}"},
    "geo.value.default_not_allowed": {"zh": "{name}={default} 不是 {allowed} 之一", "en": "{name}={default} is not one of {allowed}"},
    "geo.value.column_defaulted": {"zh": "没有 {name} 列：所有行设为 {default}", "en": "no {name} column: every row set to {default}"},
    "geo.value.column_missing": {"zh": "没有 {name} 列（{aliases}）；请添加该列或传入 {name}=", "en": "no {name} column ({aliases}); add one or pass {name}="},
    "geo.value.unknown_category": {"zh": "未知的 {name} {values}；应为 {allowed} 之一（或其中文名称，如 {examples}）", "en": "unknown {name} {values}; expected one of {allowed} (or their Chinese names, e.g. {examples})"},
    "geo.value.blank_defaulted": {"zh": "空白的 {name} 设为 {default}，所在行 {rows}", "en": "blank {name} set to {default} in rows {rows}"},
    "geo.value.missing_category": {"zh": "缺少 {name}", "en": "missing {name}"},
    "geo.value.no_demand_columns": {"zh": "没有人口、户数或建筑面积列（人口/population、户数/households、建筑面积/floor_area_m2）：无法推算需求", "en": "no population, households or floor area column (人口/population, 户数/households, 建筑面积/floor_area_m2): demand cannot be derived"},
    "geo.value.population_underivable": {"zh": "人口缺失（或为负），也没有可用于推算的户数或建筑面积", "en": "population missing (or negative) and no households or floor area to derive it from"},
    # ------------------------------------------------------------------ geometries
    "geo.geometry.wkt_unparsable": {"zh": "无法解析的 WKT，例如 {values}", "en": "WKT that cannot be parsed, e.g. {values}"},
    "geo.geometry.coordinate_partner": {"zh": "找到列 {column}，但缺少与之配对的列；经度和纬度都需要（lon/lng/经度/x 与 lat/纬度/y）", "en": "found column {column} but not its partner; need both longitude and latitude (lon/lng/经度/x and lat/纬度/y)"},
    "geo.geometry.columns_say_datum": {"zh": "列名 {lon}/{lat} 表明坐标为 {hint}，但给出的是 crs={crs}；请给出坐标实际所用的坐标系", "en": "column names {lon}/{lat} say {hint}, but crs={crs} was given; pass the crs the coordinates are in"},
    "geo.geometry.skipped_empty": {"zh": "跳过 {n} 行没有几何的记录：{rows}", "en": "skipped {n} row(s) without geometry: {rows}"},
    "geo.geometry.empty": {"zh": "几何为空或缺失", "en": "empty or missing geometry"},
    "geo.geometry.repaired": {"zh": "第 {row} 行：无效几何（{reason}）已用 make_valid 修复为 {kind}", "en": "row {row}: invalid geometry ({reason}) repaired with make_valid into a {kind}"},
    "geo.geometry.unrepairable": {"zh": "无法修复的无效几何：{reason}", "en": "invalid geometry that cannot be repaired: {reason}"},
    "geo.geometry.wrong_type": {"zh": "此处不允许几何类型 {kinds}；应为 {allowed}", "en": "geometry type {kinds} not allowed here; expected {allowed}"},
    "geo.geometry.none_in_table": {"zh": "没有几何：需要 WKT 列（geometry/wkt）或经纬度列（lon/lng/经度/x 与 lat/纬度/y）", "en": "no geometry: expected a WKT column (geometry/wkt) or longitude/latitude columns (lon/lng/经度/x and lat/纬度/y)"},
    "geo.geometry.datum_columns_no_crs": {"zh": "坐标列按 {hint} 命名，但没有给出 crs；请传入 crs={hint_repr}（CSV 文件不带坐标系，也不做任何假定）", "en": "the coordinate columns are named for {hint} but no crs was given; pass crs={hint_repr} (CSV files carry no CRS, and none is assumed)"},
    # ------------------------------------------------------------------ the readers
    "geo.read.empty_layer": {"zh": "空图层：没有记录", "en": "empty layer: no rows"},
    "geo.read.empty_named_layer": {"zh": "空图层：图层 {layer} 中没有记录", "en": "empty layer: no rows in layer {layer}"},
    "geo.read.columns_clash": {"zh": "列 {columns} 都对应到“{target}”；请只保留一列，或用 fields={{{first}: '{target}'}} 指定", "en": "columns {columns} all map to '{target}'; keep one, or say which with fields={{{first}: '{target}'}}"},
    "geo.read.missing_ids": {"zh": "{n} 行缺少编号（行号 {numbers}）", "en": "missing id in {n} row(s) (row numbers {numbers})"},
    "geo.read.duplicate_ids": {"zh": "编号重复", "en": "duplicate ids"},
    "geo.read.ids_are_row_numbers": {"zh": "没有编号列：编号取行号 1..n", "en": "no id column: ids are the row numbers 1..n"},
    "geo.read.existing_status": {"zh": "没有状态列：各行按现状设施读取", "en": "no status column: rows read as existing facilities"},
    "geo.read.no_capacity": {"zh": "现状设施缺少容量", "en": "existing facility without capacity"},
    "geo.read.min_above_max": {"zh": "最小规模大于最大规模", "en": "min_capacity is larger than max_capacity"},
    "geo.read.service_not_allowed": {"zh": "service={service} 不是 {allowed} 之一", "en": "service={service} is not one of {allowed}"},
    "geo.read.kept_service": {"zh": "保留了 {n} 行 {service}", "en": "kept the {n} {service} row(s)"},
    "geo.read.names_are_ids": {"zh": "没有名称列：名称取编号", "en": "no name column: names are the ids"},
    "geo.read.no_id_column": {"zh": "没有列 {column}；现有列为 {columns}", "en": "no column {column}; columns are {columns}"},
    # ------------------------------------------------------------------ CRS
    "geo.crs.baidu_mercator": {"zh": "crs {name}：不支持百度墨卡托（BD-09MC）；请给出 BD-09 经纬度并使用 crs='bd09'", "en": "crs {name}: Baidu Mercator (BD-09MC) is not supported; give BD-09 longitude/latitude with crs='bd09'"},
    "geo.crs.not_understood": {"zh": "无法识别 crs {name}（{error}）；请使用 'wgs84'、'cgcs2000'、'gcj02'、'bd09' 或 EPSG 代码，如 'EPSG:4549'", "en": "crs {name} is not understood ({error}); use 'wgs84', 'cgcs2000', 'gcj02', 'bd09' or an EPSG code such as 'EPSG:4549'"},
    "geo.crs.not_earth": {"zh": "crs {name} 不是地球坐标系（{crs}）；请使用 'wgs84'、'cgcs2000'、'gcj02'、'bd09' 或 EPSG 代码，如 'EPSG:4549'", "en": "crs {name} is not understood as an Earth CRS ({crs}); use 'wgs84', 'cgcs2000', 'gcj02', 'bd09' or an EPSG code such as 'EPSG:4549'"},
    "geo.crs.not_degrees": {"zh": "{n} 个坐标不是 {crs} 所要求的经纬度，例如 {sample}；{guess}", "en": "{n} coordinate(s) are not longitude/latitude degrees, as {crs} requires, e.g. {sample}; {guess}"},
    "geo.crs.guess_swapped": {"zh": "经度和纬度似乎颠倒了", "en": "longitude and latitude look swapped"},
    "geo.crs.guess_projected": {"zh": "是否为投影坐标（米）？请给出正确的 crs（如 crs='EPSG:4549'）", "en": "are they projected metres? pass the right crs (e.g. crs='EPSG:4549')"},
    "geo.crs.outside_china": {"zh": "{n} 个坐标位于中国境外，而 {crs} 是中国的坐标基准，例如 {sample}", "en": "{n} coordinate(s) lie outside China although {crs} is a Chinese datum, e.g. {sample}"},
    "geo.crs.outside_china_swapped": {"zh": "{n} 个坐标位于中国境外，而 {crs} 是中国的坐标基准，例如 {sample}；经度和纬度似乎颠倒了", "en": "{n} coordinate(s) lie outside China although {crs} is a Chinese datum, e.g. {sample}; longitude and latitude look swapped"},
    "geo.crs.degrees_not_metres": {"zh": "坐标看起来是经纬度，而不是投影坐标系 {crs} 的米，例如 {sample}；请传入 crs='wgs84'（或正确的投影坐标系）", "en": "coordinates look like longitude/latitude degrees, not the metres of projected {crs}, e.g. {sample}; pass crs='wgs84' (or the right projected CRS)"},
    "geo.crs.outside_area_of_use": {"zh": "{n} 个坐标落在 {crs}{area} 的适用范围之外，例如 {sample}；坐标系或分带有误（带号前缀的高斯-克吕格东坐标，如 39 500 000，需要“带号在东坐标中”的 EPSG 代码，如 EPSG:4527；不带带号的，如 EPSG:4545）", "en": "{n} coordinate(s) fall outside the area of use of {crs}{area}, e.g. {sample}; wrong CRS or wrong zone (Gauss-Krüger eastings with a zone prefix, e.g. 39 500 000, need the 'zone in easting' EPSG code, e.g. EPSG:4527; without it, e.g. EPSG:4545)"},
    "geo.crs.missing": {"zh": "没有坐标参考系：文件未声明，也没有给出 crs；请传入 crs=（'wgs84'、'cgcs2000'、'gcj02'、'bd09' 或如 'EPSG:4549'）", "en": "no coordinate reference system: the file declares none and no crs was given; pass crs= ('wgs84', 'cgcs2000', 'gcj02', 'bd09' or e.g. 'EPSG:4549')"},
    "geo.crs.datum_vs_projected": {"zh": "crs={crs} 表示坐标为 {datum} 经纬度，但文件声明的是投影坐标系 {declared}", "en": "crs={crs} says the coordinates are {datum} longitude/latitude, but the file declares projected {declared}"},
    "geo.read.no_status": {"zh": "站点图层没有状态字段（status：existing 现状 / candidate 候选 / proposed 拟建）；请补充，工具不会猜测哪些是现状设施", "en": "the site layer has no status column (existing / candidate / proposed); add one: the tool does not guess which sites exist"},
    "geo.crs.conflict": {"zh": "文件声明的坐标系是 {declared}，而给出的是 {given}；--crs 只用于未声明坐标系的文件。若确认坐标实为 {given}（如高德、百度导出的 GeoJSON），请加 --crs-override", "en": "the file declares {declared} but {given} was given; --crs only fills in files that declare none. If the coordinates really are {given} (e.g. GeoJSON exported from Amap or Baidu), add --crs-override"},
    "geo.crs.overridden": {"zh": "文件中声明的坐标系（{declared}）已按给出的 crs={given} 覆盖", "en": "CRS declared in the file ({declared}) overridden by crs={given} as given"},
    "geo.crs.no_metric_for_unknown": {"zh": "无法为没有坐标系的数据选择米制坐标系", "en": "cannot choose a metric CRS for a frame without CRS"},
    "geo.crs.no_metric_for_empty": {"zh": "无法为空数据选择米制坐标系", "en": "cannot choose a metric CRS for an empty frame"},
    # ------------------------------------------------------------------ walking networks
    "geo.network.not_projected": {"zh": "路网坐标系必须是投影坐标系（米），实际为 {crs}", "en": "network CRS must be projected (metres), got {crs}"},
    "geo.network.bad_endpoints": {"zh": "路段端点引用了节点数组之外的节点序号", "en": "edge endpoints refer to node indices outside the node arrays"},
    "geo.network.bad_lengths": {"zh": "路段长度必须是有限的非负数", "en": "edge lengths must be finite and non-negative"},
    "geo.network.no_edges": {"zh": "路网没有路段", "en": "the network has no edges"},
    "geo.network.area_no_crs": {"zh": "{what}：图层没有坐标系；请为其指定一个（如 EPSG:4326）", "en": "{what}: the layer has no CRS; give it one (e.g. EPSG:4326)"},
    "geo.network.area_wrong_type": {"zh": "{what}：应为 shapely 几何或 GeoDataFrame，实际为 {kind}", "en": "{what}: expected a shapely geometry or GeoDataFrame, got {kind}"},
    "geo.network.file_not_found": {"zh": "{path}：路网文件不存在", "en": "{path}: network file not found"},
    "geo.network.osm_unreadable": {"zh": "{path}：不是可读取的 OSM 文件（.osm XML 或 .osm.pbf）：{error}", "en": "{path}: not a readable OSM file (.osm XML or .osm.pbf): {error}"},
    "geo.network.osm_no_ways": {"zh": "{path}：文件中没有 OSM 路径（是 OSM 数据吗？）", "en": "{path}: no OSM ways in the file (is it an OSM extract?)"},
    "geo.network.osm_not_walkable": {"zh": "{path}：没有可步行的道路（{ways} 条路径、{highways} 条道路，均未通过步行筛选）", "en": "{path}: no walkable ways ({ways} ways, {highways} highways, none passing the walking filter)"},
    "geo.network.none_near_area": {"zh": "{path}：研究范围 {margin} 以内没有可步行的道路", "en": "{path}: no walkable ways within {margin} of the study area"},
    "geo.network.overpass_failed": {"zh": "未能在 {timeout} 秒内从 Overpass（{url}）下载步行路网：{error}。是否离线？请使用本地 OSM 文件（.osm/.osm.pbf）或道路中心线图层。", "en": "could not download the walking network from Overpass ({url}) within {timeout} s: {error}. Offline? Pass a local OSM file (.osm/.osm.pbf) or a road-centreline layer."},
    "geo.network.lines_no_crs": {"zh": "道路中心线图层没有坐标系；请为其指定一个（如 EPSG:4547）", "en": "road-centreline layer has no CRS; give it one (e.g. EPSG:4547)"},
    "geo.network.lines_not_lines": {"zh": "道路中心线图层含有非线几何：{kinds}", "en": "road-centreline layer has non-line geometries: {kinds}"},
    "geo.network.lines_empty": {"zh": "道路中心线图层没有线", "en": "road-centreline layer has no lines"},
    "geo.network.lines_unreadable": {"zh": "{path}：无法按线图层读取：{error}", "en": "{path}: cannot read as a line layer: {error}"},
    "geo.network.lines_file_no_crs": {"zh": "{path}：道路中心线图层没有坐标系；请传入 --crs（'wgs84'、'cgcs2000'、'gcj02'、'bd09' 或如 'EPSG:4547'）", "en": "{path}: the road-centreline layer has no CRS; pass --crs ('wgs84', 'cgcs2000', 'gcj02', 'bd09' or e.g. 'EPSG:4547')"},
    # ------------------------------------------------------------------ layers given to the measures
    "geo.layer.not_a_frame": {"zh": "应为 GeoDataFrame，实际为 {kind}", "en": "expected a GeoDataFrame, got {kind}"},
    "geo.layer.empty": {"zh": "图层为空（没有要素）", "en": "the layer is empty (no features)"},
    "geo.layer.no_crs": {"zh": "图层没有坐标系；请设置一个（如 EPSG:4326）", "en": "the layer has no CRS; set one (e.g. EPSG:4326)"},
    "geo.layer.no_column": {"zh": "没有“{column}”列", "en": "no '{column}' column"},
    "geo.layer.duplicate_ids": {"zh": "编号重复", "en": "duplicate ids"},
    "geo.layer.empty_geometry": {"zh": "几何缺失或为空", "en": "missing or empty geometry"},
    # ------------------------------------------------------------------ travel times
    "geo.travel.no_network": {"zh": "没有给出步行路网；请提供路网，或允许使用直线距离替代", "en": "no walking network given; pass a network or allow the straight-line fallback"},
    "geo.travel.unsnapped": {"zh": "{n} 个要素距离所有可步行道路都超过 max_snap_m={max_snap}（编号：最近道路距离）：{detail}", "en": "{n} feature(s) farther than max_snap_m={max_snap} from every walkable way (id: nearest way): {detail}"},
    "geo.travel.nearest_way": {"zh": "{id}（{distance}）", "en": "{id} ({distance})"},
    "geo.travel.straight_line_shapes": {"zh": "直线距离替代只支持单点或多边形", "en": "straight-line fallback needs single points or polygons"},
    # ------------------------------------------------------------------ service areas
    "geo.service_areas.no_reach": {"zh": "未给出服务范围的步行时间", "en": "no reach given: pass at least one Reach"},
    "geo.service_areas.unsnapped": {"zh": "{n} 处设施距离所有可步行道路都超过 max_snap_m={max_snap}：{ids}", "en": "{n} site(s) farther than max_snap_m={max_snap} from every walkable way: {ids}"},
    "geo.service_areas.no_minutes": {"zh": "服务范围需要“minutes”列", "en": "service areas need a 'minutes' column"},
    # ------------------------------------------------------------------ coverage
    "geo.coverage.bad_decay": {"zh": "decay 必须是 None、'linear'、'gaussian' 或函数，实际为 {decay}", "en": "decay must be None, 'linear', 'gaussian' or a function, got {decay}"},
    "geo.coverage.population_missing": {"zh": "人口缺失或为负", "en": "population missing or negative"},
    "geo.coverage.capacity_missing": {"zh": "容量缺失或为负", "en": "capacity missing or negative"},
    "geo.coverage.unknown_areas": {"zh": "出行对引用了居住区图层中没有的居住区", "en": "pairs refer to areas not in the area layer"},
    "geo.coverage.unknown_facilities": {"zh": "出行对引用了设施图层中没有的设施", "en": "pairs refer to facilities not in the facility layer"},
    "geo.coverage.no_catchment": {"zh": "没有出行对，也没有给出步行时间：无法确定服务半径", "en": "no pairs and no 'minutes' given: the catchment size is unknown"},
}
