open_run synth_1
write_edif [current_project].edn
write_verilog [current_project].v
