# Auto-generated project tcl file


create_project tiny -force

set_property part xc7z045ffg900-2 [current_project]





source {hls_ip.tcl}
read_xdc {clock.xdc}

set_property include_dirs [list .] [get_filesets sources_1]
set_property top tiny_bd_wrapper [current_fileset]
set_property source_mgmt_mode None [current_project]


