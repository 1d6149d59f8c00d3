"""PDF documents. ReportLab is used here and nowhere else."""
