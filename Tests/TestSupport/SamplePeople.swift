// People of the sample org directories (workflows/directories/*.json), for every test module.
// Each NIP is written here once, named in English by the role the person plays; the comment
// gives the office (jabatan, unit) in the directory. `positions` is what SamplePeopleTests
// checks against the file, so that this table cannot drift from the JSON.

/// People of `workflows/directories/pemalang.json` (Kabupaten Pemalang).
public enum Pemalang {
    public static let directory = "workflows/directories/pemalang.json"
    // Pemerintah Kabupaten Pemalang
    public static let bupati = "196805121990031004"              // Bupati Pemalang, Pemerintah Kabupaten Pemalang
    public static let sekda = "197103151996031002"               // Sekretaris Daerah, Sekretariat Daerah
    public static let kabagOrganisasi = "197908222005012003"     // Kepala Bagian Organisasi
    public static let analisKelembagaan = "198811052014022001"   // Analis Kebijakan Ahli Muda, Bagian Organisasi
    public static let kadisKominfo = "197502142000031005"        // Kepala Dinas Komunikasi dan Informatika
    public static let kabidAptika = "198001172006041007"         // Kepala Bidang Aplikasi Informatika
    public static let prakomMuda = "198903262015031002"          // Pranata Komputer Ahli Muda, Bidang Aplikasi Informatika
    public static let prakomPertama = "199407092019022004"       // Pranata Komputer Ahli Pertama, Bidang Aplikasi Informatika
    public static let pppkPelaksana = "199512032022212006"       // Pengelola Sistem dan Jaringan, Bidang Aplikasi Informatika (PPPK)
    public static let kabidStatistik = "198206302008012009"      // Kepala Bidang Statistik dan Persandian
    public static let statistisi = "199601182020122005"          // Statistisi Ahli Pertama, Bidang Statistik dan Persandian
    public static let kadinkes = "197012081997032006"            // Kepala Dinas Kesehatan
    public static let kabidP2P = "197705112003121004"            // Kepala Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologPertama = "199211302018032002"  // Epidemiolog Kesehatan Ahli Pertama, Bidang Pencegahan dan Pengendalian Penyakit
    public static let pltKepalaBKPSDM = "197604282002121003"     // Sekretaris BKPSDM; Plt. Kepala BKPSDM from 2025-01-02 to 2026-12-31
    public static let kabidKompetensi = "198102162006042008"     // Kepala Bidang Pengembangan Kompetensi Aparatur
    public static let analisSDMPPPK = "199702102022212003"       // Analis Sumber Daya Manusia Aparatur Ahli Pertama, Bidang Pengembangan Kompetensi Aparatur (PPPK)
    public static let inspektur = "196909101995031001"           // Inspektur Daerah, Inspektorat Daerah
    public static let kasiSurveilans = "198203142008011005"      // Kepala Seksi Surveilans dan Imunisasi
    public static let epidemiologTerampil = "199508212020122004" // Epidemiolog Kesehatan Terampil, Seksi Surveilans dan Imunisasi
    // Pemerintah Kabupaten Pekalongan
    public static let sekdaPekalongan = "197209181998031004"          // Sekretaris Daerah Kabupaten Pekalongan, Sekretariat Daerah Kabupaten Pekalongan
    public static let kadisKominfoPekalongan = "197512202001121002"   // Kepala Dinas Komunikasi dan Informatika Kabupaten Pekalongan
    public static let kabidStatistikPekalongan = "198107252006042006" // Kepala Bidang Statistik dan Persandian
    public static let statistisiPekalongan = "198810102012121003"     // Statistisi Ahli Muda, Bidang Statistik dan Persandian
    public static let prakomPekalonganPPPK = "199605052022212001"     // Pranata Komputer Ahli Pertama, Bidang Statistik dan Persandian (PPPK)
    public static let kepalaBKPSDMPekalongan = "197405232000031006"   // Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kabupaten Pekalongan

    /// Each person's position in the directory file.
    public static let positions: [String: String] = [
        bupati: "bupati", sekda: "sekda", kabagOrganisasi: "kabag-organisasi", analisKelembagaan: "analis-kelembagaan",
        kadisKominfo: "kadis-kominfo", kabidAptika: "kabid-aptika", prakomMuda: "prakom-ahli-muda-aptika",
        prakomPertama: "prakom-ahli-pertama-aptika", pppkPelaksana: "pengelola-aplikasi-aptika",
        kabidStatistik: "kabid-statistik", statistisi: "statistisi-ahli-pertama", kadinkes: "kadinkes",
        kabidP2P: "kabid-p2p", epidemiologPertama: "epidemiolog-ahli-pertama", pltKepalaBKPSDM: "sekretaris-bkpsdm",
        kabidKompetensi: "kabid-kompetensi", analisSDMPPPK: "analis-sdm-ahli-pertama", inspektur: "inspektur",
        kasiSurveilans: "kasi-surveilans", epidemiologTerampil: "epidemiolog-terampil-surveilans",
        sekdaPekalongan: "sekda-pekalongan", kadisKominfoPekalongan: "kadis-kominfo-pekalongan",
        kabidStatistikPekalongan: "kabid-statistik-pekalongan", statistisiPekalongan: "statistisi-ahli-muda-pekalongan",
        prakomPekalonganPPPK: "prakom-ahli-pertama-pekalongan", kepalaBKPSDMPekalongan: "kepala-bkpsdm-pekalongan",
    ]
}

/// People of `workflows/directories/grobogan.json` (Kabupaten Grobogan).
public enum Grobogan {
    public static let directory = "workflows/directories/grobogan.json"
    // Pemerintah Kabupaten Grobogan
    public static let sekda = "196911071995031004"                    // Sekretaris Daerah, Sekretariat Daerah
    public static let pltKadisKominfo = "197709092003121005"          // Sekretaris Diskominfo; Plt. Kepala Dinas (the post is vacant) until 30 June 2025
    public static let kasubagUmpegKominfo = "198304152009022003"      // Kepala Subbagian Umum dan Kepegawaian, Diskominfo: a Pejabat Pengawas kept after the simplification
    public static let kabidAptika = "198002202006041008"              // Kepala Bidang Aplikasi Informatika
    public static let prakomMuda = "198712032010011004"               // Pranata Komputer Ahli Muda, Bidang Aplikasi Informatika
    public static let prakomPertamaPPPK = "199504172022212006"        // Pranata Komputer Ahli Pertama, Bidang Aplikasi Informatika (PPPK)
    public static let kabidIKP = "197904282005012008"                 // Kepala Bidang Informasi dan Komunikasi Publik
    public static let humasMuda = "198909142014022002"                // Pranata Hubungan Masyarakat Ahli Muda, Bidang Informasi dan Komunikasi Publik
    public static let kadinkes = "197201131998031007"                 // Kepala Dinas Kesehatan
    public static let kabidP2P = "197606302002122004"                 // Kepala Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologMuda = "198510082009031006"          // Epidemiolog Kesehatan Ahli Muda, Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologPertamaPPPK = "199608192023212004"   // Epidemiolog Kesehatan Ahli Pertama, Bidang Pencegahan dan Pengendalian Penyakit (PPPK)
    public static let sanitarian = "199011272012011002"               // Sanitarian Terampil, Bidang Pencegahan dan Pengendalian Penyakit
    public static let admkesMudaYankes = "198603212010012007"         // Administrator Kesehatan Ahli Muda, Bidang Pelayanan Kesehatan
    public static let kabidKedaruratan = "197912182005011006"         // Kepala Bidang Kedaruratan dan Logistik, BPBD (not simplified)
    public static let kasiKedaruratan = "198204062008011010"          // Kepala Seksi Kedaruratan
    public static let analisBencana = "199107302015031004"            // Analis Kebencanaan Ahli Pertama, Seksi Kedaruratan
    public static let pengelolaKedaruratanPPPK = "199402142021211003" // Pengelola Kedaruratan, Seksi Kedaruratan (PPPK)
    public static let pengadministrasiLogistik = "199512062022031007" // Pengadministrasi Logistik, Seksi Logistik
    // Pemerintah Provinsi Jawa Tengah
    public static let sekdaJateng = "196904201995031003"         // Sekretaris Daerah Provinsi Jawa Tengah, Sekretariat Daerah Provinsi Jawa Tengah
    public static let kabidAptikaJateng = "198003142005011007"   // Kepala Bidang Aplikasi Informatika
    public static let prakomMudaJateng = "198711202010012005"    // Pranata Komputer Ahli Muda, Bidang Aplikasi Informatika
    public static let prakomPertamaJateng = "199302282019031006" // Pranata Komputer Ahli Pertama, Bidang Aplikasi Informatika

    /// Each person's position in the directory file.
    public static let positions: [String: String] = [
        sekda: "sekda", pltKadisKominfo: "sekretaris-kominfo", kasubagUmpegKominfo: "kasubag-umpeg-kominfo",
        kabidAptika: "kabid-aptika", prakomMuda: "prakom-muda-aptika", prakomPertamaPPPK: "prakom-pertama-aptika",
        kabidIKP: "kabid-ikp", humasMuda: "humas-muda-ikp", kadinkes: "kadinkes", kabidP2P: "kabid-p2p",
        epidemiologMuda: "epidemiolog-muda", epidemiologPertamaPPPK: "epidemiolog-pertama",
        sanitarian: "sanitarian-terampil", admkesMudaYankes: "admkes-muda", kabidKedaruratan: "kabid-kedaruratan",
        kasiKedaruratan: "kasi-kedaruratan", analisBencana: "analis-bencana-pertama",
        pengelolaKedaruratanPPPK: "pengelola-kedaruratan", pengadministrasiLogistik: "pengadministrasi-logistik",
        sekdaJateng: "sekda-jateng", kabidAptikaJateng: "kabid-aptika-jateng", prakomMudaJateng: "prakom-muda-jateng",
        prakomPertamaJateng: "prakom-pertama-jateng",
    ]
}

/// People of `workflows/directories/bungo.json` (Kabupaten Bungo).
public enum Bungo {
    public static let directory = "workflows/directories/bungo.json"
    // Pemerintah Kabupaten Bungo
    public static let sekda = "197004221996031003"                     // Sekretaris Daerah, Sekretariat Daerah
    public static let kabagHukum = "197911032005011004"                // Kepala Bagian Hukum
    public static let analisHukumMadya = "197605182002122003"          // Analis Hukum Ahli Madya, Bagian Hukum
    public static let analisHukumMuda = "198502112010011006"           // Analis Hukum Ahli Muda, Bagian Hukum
    public static let kabagOrganisasi = "198010202006042005"           // Kepala Bagian Organisasi
    public static let plhKabagOrganisasi = "198612122011011003"        // Analis Kebijakan Ahli Muda, Bagian Organisasi; Plh. Kepala Bagian
    public static let analisKebijakanPertama = "199404172019032008"    // Analis Kebijakan Ahli Pertama, Bagian Organisasi
    public static let sekwan = "197306151999031006"                    // Sekretaris DPRD, Sekretariat DPRD
    public static let kabagPersidangan = "198104092007011002"          // Kepala Bagian Persidangan dan Perundang-undangan
    public static let perancangMadya = "197709272003122004"            // Perancang Peraturan Perundang-undangan Ahli Madya, Bagian Persidangan dan Perundang-undangan
    public static let perancangPertama = "199511302020121007"          // Perancang Peraturan Perundang-undangan Ahli Pertama, Bagian Persidangan dan Perundang-undangan
    public static let inspektur = "197112121997031004"                 // Inspektur Daerah, Inspektorat Daerah
    public static let inspekturPembantu1 = "197902142005011003"        // Inspektur Pembantu Wilayah I
    public static let auditorMadya = "197506302001122002"              // Auditor Ahli Madya, Inspektur Pembantu Wilayah I
    public static let auditorPertamaPPPK = "199710142023212004"        // Auditor Ahli Pertama, Inspektur Pembantu Wilayah I (PPPK)
    public static let kadinkes = "197205202000032004"                  // Kepala Dinas Kesehatan
    public static let kasubbagUmpeg = "198401012009022006"             // Kepala Subbagian Umum dan Kepegawaian
    public static let pengadministrasiUmpegPPPK = "199907072024211003" // Pengadministrasi Perkantoran, Subbagian Umum dan Kepegawaian (PPPK)
    public static let kabidP2P = "197710252003121003"                  // Kepala Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologMadya = "197404112000122001"          // Epidemiolog Kesehatan Ahli Madya, Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologMuda = "198509162010012012"           // Epidemiolog Kesehatan Ahli Muda, Bidang Pencegahan dan Pengendalian Penyakit
    public static let kasiSurveilans = "198207072008011008"            // Kepala Seksi Surveilans dan Imunisasi
    public static let epidemiologPertama = "199309232019022003"        // Epidemiolog Kesehatan Ahli Pertama, Seksi Surveilans dan Imunisasi
    public static let epidemiologTerampilPPPK = "199812012023211005"   // Epidemiolog Kesehatan Terampil, Seksi Surveilans dan Imunisasi (PPPK)
    public static let kadisKominfo = "197409092001121003"              // Kepala Dinas Komunikasi dan Informatika
    public static let humasPertama = "199502282020122006"              // Pranata Hubungan Masyarakat Ahli Pertama, Dinas Komunikasi dan Informatika
    public static let kabidAptika = "198105152006041004"               // Kepala Bidang Aplikasi Informatika
    public static let prakomMuda = "198910102014031002"                // Pranata Komputer Ahli Muda, Bidang Aplikasi Informatika
    public static let prakomPertama = "199601202020121004"             // Pranata Komputer Ahli Pertama, Bidang Aplikasi Informatika
    public static let prakomTerampilPPPK = "199904182024212007"        // Pranata Komputer Terampil, Bidang Aplikasi Informatika (PPPK)
    // Pemerintah Kabupaten Tebo
    public static let sekdaTebo = "197101281997031002"           // Sekretaris Daerah Kabupaten Tebo, Sekretariat Daerah Kabupaten Tebo
    public static let kadinkesTebo = "197308082002122005"        // Kepala Dinas Kesehatan Kabupaten Tebo
    public static let kabidP2PTebo = "197912122006041006"        // Kepala Bidang Pencegahan dan Pengendalian Penyakit
    public static let kasiSurveilansTebo = "198306302009011004"  // Kepala Seksi Surveilans dan Imunisasi
    public static let epidemiologTebo = "199410052019032006"     // Epidemiolog Kesehatan Ahli Pertama, Seksi Surveilans dan Imunisasi
    public static let epidemiologTeboPPPK = "199707172023211002" // Epidemiolog Kesehatan Terampil, Seksi Surveilans dan Imunisasi (PPPK)

    /// Each person's position in the directory file.
    public static let positions: [String: String] = [
        sekda: "sekda", kabagHukum: "kabag-hukum", analisHukumMadya: "analis-hukum-ahli-madya",
        analisHukumMuda: "analis-hukum-ahli-muda", kabagOrganisasi: "kabag-organisasi",
        plhKabagOrganisasi: "analis-kebijakan-ahli-muda-org",
        analisKebijakanPertama: "analis-kebijakan-ahli-pertama-org", sekwan: "sekwan",
        kabagPersidangan: "kabag-persidangan", perancangMadya: "perancang-ahli-madya",
        perancangPertama: "perancang-ahli-pertama", inspektur: "inspektur", inspekturPembantu1: "irban-1",
        auditorMadya: "auditor-ahli-madya-irban1", auditorPertamaPPPK: "auditor-ahli-pertama-irban1",
        kadinkes: "kadinkes", kasubbagUmpeg: "kasubbag-umpeg", pengadministrasiUmpegPPPK: "pengadministrasi-umpeg",
        kabidP2P: "kabid-p2p", epidemiologMadya: "epidemiolog-ahli-madya", epidemiologMuda: "epidemiolog-ahli-muda",
        kasiSurveilans: "kasi-surveilans", epidemiologPertama: "epidemiolog-ahli-pertama",
        epidemiologTerampilPPPK: "epidemiolog-terampil", kadisKominfo: "kadis-kominfo",
        humasPertama: "pranata-humas-ahli-pertama", kabidAptika: "kabid-aptika", prakomMuda: "prakom-ahli-muda",
        prakomPertama: "prakom-ahli-pertama", prakomTerampilPPPK: "prakom-terampil", sekdaTebo: "sekda-tebo",
        kadinkesTebo: "kadinkes-tebo", kabidP2PTebo: "kabid-p2p-tebo", kasiSurveilansTebo: "kasi-surveilans-tebo",
        epidemiologTebo: "epidemiolog-ahli-pertama-tebo", epidemiologTeboPPPK: "epidemiolog-terampil-tebo",
    ]
}

/// People of `workflows/directories/jepara.json` (Kabupaten Jepara).
public enum Jepara {
    public static let directory = "workflows/directories/jepara.json"
    // Pemerintah Kabupaten Jepara
    public static let sekda = "196801031993031001"             // Sekretaris Daerah, Pejabat yang Berwenang
    public static let kadisKominfo = "197009111995031009"      // Kepala Dinas Komunikasi dan Informatika
    public static let kadinkes = "197110121996032010"          // Kepala Dinas Kesehatan
    public static let kadisDiskan = "197104181996032016"       // Kepala Dinas Perikanan
    public static let direkturRSUD = "196801271993031024"      // Direktur Rumah Sakit Umum Daerah R.A. Kartini
    public static let kabidTangkap = "198004122006041029"      // Kepala Bidang Perikanan Tangkap
    public static let penyuluhMuda = "198506072010011030"      // Penyuluh Perikanan Ahli Muda, Bidang Perikanan Tangkap
    public static let analisPasarPPPK = "199508232022042031"   // Analis Pasar Hasil Perikanan Ahli Pertama, Bidang Perikanan Tangkap (PPPK)
    public static let pengelolaProduksi = "199101302015031032" // Pengelola Produksi Perikanan Tangkap, Bidang Perikanan Tangkap
    public static let kabidBudidaya = "197607192002122033"     // Kepala Bidang Perikanan Budidaya; Plh. Kepala Dinas 10-21 March 2025
    public static let penyuluhTerampil = "199403112018111034"  // Penyuluh Perikanan Terampil, Bidang Perikanan Budidaya
    public static let kabidAptika = "198209052008031036"       // Kepala Bidang Aplikasi Informatika
    public static let prakomMuda = "198704182012011037"        // Pranata Komputer Ahli Muda, Bidang Aplikasi Informatika
    public static let prakomPertama = "199606272020062038"     // Pranata Komputer Ahli Pertama, Bidang Aplikasi Informatika
    public static let statistisi = "199701122021032040"        // Statistisi Ahli Pertama, Bidang Statistik dan Persandian
    public static let perawatPPPK = "199609092023012044"       // Perawat Ahli Pertama, Bidang Pelayanan Medis (PPPK)
    public static let perawatMuda = "198603162011021045"       // Perawat Ahli Muda, Bidang Pelayanan Medis
    // Pemerintah Provinsi Jawa Tengah
    public static let sekdaJateng = "196806101993031052"        // Sekretaris Daerah Provinsi Jawa Tengah, Sekretariat Daerah Provinsi Jawa Tengah
    public static let kabidJatengTangkap = "197802172004032054" // Kepala Bidang Perikanan Tangkap
    public static let jatengPengawas = "198405142009121055"     // Pengawas Perikanan Ahli Muda, Bidang Perikanan Tangkap

    /// Each person's position in the directory file.
    public static let positions: [String: String] = [
        sekda: "sekda", kadisKominfo: "kepala-diskominfo", kadinkes: "kepala-dinkes", kadisDiskan: "kepala-diskan",
        direkturRSUD: "kepala-rsud-kartini", kabidTangkap: "kepala-diskan-tangkap",
        penyuluhMuda: "penyuluh-ahli-muda-tangkap", analisPasarPPPK: "analis-pasar-ahli-pertama",
        pengelolaProduksi: "pengelola-produksi-tangkap", kabidBudidaya: "kepala-diskan-budidaya",
        penyuluhTerampil: "penyuluh-terampil-budidaya", kabidAptika: "kepala-diskominfo-aptika",
        prakomMuda: "prakom-ahli-muda", prakomPertama: "prakom-ahli-pertama", statistisi: "statistisi-ahli-pertama",
        perawatPPPK: "perawat-ahli-pertama", perawatMuda: "perawat-ahli-muda", sekdaJateng: "sekda-jateng",
        kabidJatengTangkap: "kepala-jateng-dkp-tangkap", jatengPengawas: "jateng-pengawas-perikanan",
    ]
}

/// People of `workflows/directories/barito-utara.json` (Kabupaten Barito Utara).
public enum BaritoUtara {
    public static let directory = "workflows/directories/barito-utara.json"
    // Pemerintah Kabupaten Barito Utara
    public static let sekda = "197003221996031005"                 // Sekretaris Daerah, Sekretariat Daerah
    public static let kadinkes = "197104091997031006"              // Kepala Dinas Kesehatan
    public static let sekretarisDinkes = "197608172003122005"      // Sekretaris Dinas Kesehatan; Plh. Kepala Dinas 10-14 March 2025
    public static let kasubbagUmpeg = "198306252009011008"         // Kepala Subbagian Umum dan Kepegawaian
    public static let pengadministrasiUmpeg = "199310182020122004" // Pengadministrasi Perkantoran, Subbagian Umum dan Kepegawaian
    public static let prakomTerampilPPPK = "199601112022212003"    // Pranata Komputer Terampil, Subbagian Umum dan Kepegawaian (PPPK)
    public static let kabidP2P = "197710302005011005"              // Kepala Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologMadya = "197502262001122003"      // Epidemiolog Kesehatan Ahli Madya, Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologMuda = "198512122010011009"       // Epidemiolog Kesehatan Ahli Muda, Bidang Pencegahan dan Pengendalian Penyakit
    public static let epidemiologPertama = "199208082017012006"    // Epidemiolog Kesehatan Ahli Pertama, Bidang Pencegahan dan Pengendalian Penyakit
    public static let pengelolaP2PPPPK = "199705052023211004"      // Pengelola Data Surveilans, Bidang Pencegahan dan Pengendalian Penyakit (PPPK)
    public static let kabidKesmas = "197907072006042008"           // Kepala Bidang Kesehatan Masyarakat
    public static let nutrisionisMuda = "198701302011012005"       // Nutrisionis Ahli Muda, Bidang Kesehatan Masyarakat
    public static let kadisKominfo = "197305151999031004"          // Kepala Dinas Komunikasi, Informatika, Statistik dan Persandian
    public static let kabidAptika = "198101192006041006"           // Kepala Bidang Aplikasi Informatika
    public static let prakomMuda = "198804042011011005"            // Pranata Komputer Ahli Muda, Bidang Aplikasi Informatika
    // Pemerintah Provinsi Kalimantan Tengah
    public static let sekdaKalteng = "196910101995031008"    // Sekretaris Daerah Provinsi Kalimantan Tengah, Sekretariat Daerah Provinsi Kalimantan Tengah
    public static let kabidP2PKalteng = "197809192004121003" // Kepala Bidang Pencegahan dan Pengendalian Penyakit

    /// Each person's position in the directory file.
    public static let positions: [String: String] = [
        sekda: "sekda", kadinkes: "kadinkes", sekretarisDinkes: "sekretaris-dinkes", kasubbagUmpeg: "kasubbag-umpeg",
        pengadministrasiUmpeg: "pengadministrasi-umpeg", prakomTerampilPPPK: "prakom-terampil-umpeg",
        kabidP2P: "kabid-p2p", epidemiologMadya: "epidemiolog-madya", epidemiologMuda: "epidemiolog-muda",
        epidemiologPertama: "epidemiolog-pertama", pengelolaP2PPPPK: "pengelola-p2p", kabidKesmas: "kabid-kesmas",
        nutrisionisMuda: "nutrisionis-muda", kadisKominfo: "kadis-kominfo", kabidAptika: "kabid-aptika",
        prakomMuda: "prakom-muda-aptika", sekdaKalteng: "sekda-kalteng", kabidP2PKalteng: "kabid-p2p-kalteng",
    ]
}
