# rdwarm's image steps for a Windows session-host build (imagebuild/examples/packer/README.md).
# Merge the provisioners into your build block; the source is yours.

variable "rdwarm_exe" {
  type    = string
  default = "C:\\Program Files\\rdwarm\\rdwarm.exe"
}

variable "planned_lifetime" {
  type        = string
  description = "How long VMs made from this image stay in use (rdwarm image check)"
  default     = "30d"
}

build {
  sources = ["source.azure-arm.session_host"]

  # 1. Will VMs made from this image turn their first user away? 0 pass, 3 nothing for rdwarm to do.
  provisioner "powershell" {
    inline = [
      "& '${var.rdwarm_exe}' image check --planned-lifetime ${var.planned_lifetime}",
      "exit $LASTEXITCODE",
    ]
    valid_exit_codes = [0, 3]
  }

  # 2. Optional: run the warm-up once in the image (gate none). Needs the license servers.
  provisioner "powershell" {
    inline = [
      "& '${var.rdwarm_exe}' image prewarm --deadline 5m --no-progress",
      "exit $LASTEXITCODE",
    ]
    valid_exit_codes = [0, 3]
  }

  # 3. Register the boot task (docs/image-install.md).
  provisioner "powershell" {
    inline = [
      "& '${var.rdwarm_exe}' image install",
      "exit $LASTEXITCODE",
    ]
    valid_exit_codes = [0]
  }

  # 4. Last: verify again and write the seal manifest the boot agent shows on every boot.
  provisioner "powershell" {
    inline = [
      "& '${var.rdwarm_exe}' image seal --planned-lifetime ${var.planned_lifetime}",
      "exit $LASTEXITCODE",
    ]
    valid_exit_codes = [0, 3]
  }

  # Sysprep / generalize follows here, as in your build.
}
